import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (.ci/run installs it); the tests drive it with playwright-core, never a downloaded browser. */
export const CHROMIUM = process.env.MLCTL_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots of every page kind land here (git-ignored), for a person to look at after a run. */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

/**
 * One headless Chromium per test file. The flags keep it off the network entirely (no background
 * connections, component updates or sync: this machine's network is closed), and playwright gives
 * each launch a fresh, empty user-data-dir.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, uncaught page errors, dialogs opened and requests that left the page. */
  errors: string[];
  dialogs: string[];
  requests: string[];
  close(): Promise<void>;
}

/** A page in its own context, recording everything that would mean a broken or leaky page. */
export async function watchedPage(browser: Browser, o: { javaScript?: boolean } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({
    javaScriptEnabled: o.javaScript ?? true,
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  const w: WatchedPage = {
    page,
    context,
    errors: [],
    dialogs: [],
    requests: [],
    close: () => context.close(),
  };
  page.on('console', (m) => {
    if (m.type() === 'error') w.errors.push(m.text());
  });
  page.on('pageerror', (e) => w.errors.push(String(e)));
  page.on('dialog', (d) => {
    w.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('request', (r) => w.requests.push(r.url()));
  return w;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
