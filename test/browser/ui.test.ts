import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { rmSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { BIN, baseEnv, run, writeModel } from '../support/helpers.js';
import { reportHistory } from '../support/report-history.js';
import { launchChromium, screenshot, watchedPage } from '../support/browser.js';

interface Ui {
  url: string;
  child: ChildProcess;
  stderr(): string;
  /** Send a signal; resolves with the exit code once the process has ended. */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

/** The built binary, as a person starts it; the URL is the first line it prints. */
function startUi(dir: string, args: string[]): Promise<Ui> {
  const child = spawn(process.execPath, [BIN, 'ui', '--port', '0', ...args], {
    cwd: dir,
    env: baseEnv() as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mlctl ui printed no URL in 20 s: ${err}`));
    }, 20_000);
    child.once('exit', (code) => reject(new Error(`mlctl ui exited ${code}: ${err}`)));
    child.stdout!.on('data', (d) => {
      out += d;
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      resolve({
        url: out.split('\n')[0]!,
        child,
        stderr: () => err,
        stop: (signal) => {
          child.kill(signal);
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          return exited.finally(() => clearTimeout(kill));
        },
      });
    });
  });
}

/** A raw request (fetch cannot set Host), bounded by a timeout. */
function raw(
  url: string,
  o: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method ?? 'GET', headers: o.headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('mlctl ui in Chromium', () => {
  let browser: Browser;
  let h: Awaited<ReturnType<typeof reportHistory>>;
  let ui: Ui;
  const base = () => ui.url.replace(/\/$/, '');

  beforeAll(async () => {
    [browser, h] = await Promise.all([launchChromium(), reportHistory()]);
    ui = await startUi(h.dir, []);
  });
  afterAll(async () => {
    if (ui && ui.child.exitCode === null) await ui.stop('SIGKILL');
    await browser?.close();
    if (h) rmSync(h.dir, { recursive: true, force: true });
  });

  async function visit(path: string, o: { javaScript?: boolean; shot?: string; status?: number } = {}) {
    const w = await watchedPage(browser, o);
    const res = await w.page.goto(`${base()}${path}`);
    expect(res!.status(), path).toBe(o.status ?? 200);
    if (o.shot) await screenshot(w.page, o.shot);
    if ((o.status ?? 200) === 200) expect(w.errors, path).toEqual([]);
    expect(w.dialogs).toEqual([]);
    expect(
      w.requests.every((r) => r.startsWith(base())),
      w.requests.join(' '),
    ).toBe(true);
    return w;
  }

  it('binds 127.0.0.1 by default and prints its URL first', async () => {
    expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    // stderr is another pipe: its note may arrive a moment after the URL.
    for (let i = 0; i < 50 && !ui.stderr().includes('read-only'); i++) await new Promise((r) => setTimeout(r, 40));
    expect(ui.stderr()).toContain('read-only');
  });

  it('every page kind, linked to each other, no console errors', async () => {
    const events = JSON.parse((await run(['audit', '--json'], { cwd: h.dir })).stdout).data.events.length;
    const home = await visit('/', { shot: 'ui-models' });
    expect(await home.page.locator('table.models tbody tr').count()).toBe(1);
    await home.page.locator('a', { hasText: 'fraud' }).first().click();
    expect(home.page.url()).toBe(`${base()}/models/fraud`);
    expect(await home.page.locator('table.versions tbody tr').count()).toBe(6);
    await home.page.locator('tr[data-version="5"] a').first().click();
    expect(home.page.url()).toBe(`${base()}/models/fraud/5`);
    await home.page.locator('svg.lineage g.node[data-id="fraud@4"] a').click();
    expect(home.page.url()).toBe(`${base()}/models/fraud/4`);
    expect(home.errors).toEqual([]);
    await home.close();
    for (const [path, shot, selector, count] of [
      ['/models/fraud', 'ui-model', 'figure[data-metric]', 3],
      ['/models/fraud/5', 'ui-version', 'svg.lineage g.node', 5],
      ['/models/fraud/champion', 'ui-version-alias', 'svg.lineage g.node', 5],
      ['/gate-runs/1', 'ui-gate-run', 'svg.curve g.series', 4],
      ['/rollouts/1', 'ui-rollout', 'table.stages tbody tr', 3],
      ['/audit', 'ui-audit', 'table.events tbody tr', events],
    ] as const) {
      const w = await visit(path, { shot });
      expect(await w.page.locator(selector).count(), path).toBe(count);
      await w.close();
    }
  });

  it('audit takes the filters of mlctl audit, from a form that works without JavaScript', async () => {
    const cli = JSON.parse((await run(['audit', '--action', 'register', '--json'], { cwd: h.dir })).stdout).data.events;
    const w = await visit('/audit', { javaScript: false });
    await w.page.selectOption('select[name="action"]', 'register');
    await w.page.locator('button[type="submit"]').click();
    await w.page.waitForURL(/action=register/);
    expect(
      await w.page
        .locator('table.events tbody tr')
        .evaluateAll((r) => r.map((x) => Number(x.getAttribute('data-seq')))),
    ).toEqual(cli.map((e: any) => e.seq));
    await w.close();
    const limited = await visit('/audit?model=fraud&limit=2&ref=fraud%40champion');
    expect(await limited.page.locator('table.events tbody tr').count()).toBe(2);
    expect(await limited.page.locator('main p.muted').first().textContent()).toContain('more match');
    await limited.close();
    const bad = await visit('/audit?action=nope', { status: 400 });
    expect(await bad.page.locator('main').textContent()).toContain('unknown action "nope"');
    await bad.close();
  });

  it('pages without JavaScript: the same content', async () => {
    const w = await visit('/models/fraud', { javaScript: false, shot: 'ui-model-nojs' });
    expect(await w.page.locator('table.versions tbody tr').count()).toBe(6);
    expect(await w.page.locator('svg.chart').count()).toBe(3);
    await w.close();
  });

  it('unknown paths and ids are 404 pages; other methods 405; HEAD answers without a body', async () => {
    const w = await visit('/nope/deeper', { status: 404, shot: 'ui-404' });
    expect(await w.page.locator('h1').textContent()).toBe('404 Not Found');
    await w.close();
    for (const [path, text] of [
      ['/gate-runs/999', 'gate run 999 does not exist'],
      ['/rollouts/7', 'rollout 7 does not exist'],
      ['/models/nope', 'unknown model &quot;nope&quot;'],
      ['/models/fraud/99', 'fraud@99 does not exist'],
      ['/gate-runs/abc', 'nothing at /gate-runs/abc'],
    ]) {
      const r = await raw(`${base()}${path}`);
      expect([path, r.status]).toEqual([path, 404]);
      expect(r.body).toContain(text);
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const r = await raw(`${base()}/models/fraud`, { method });
      expect([method, r.status, r.headers.allow]).toEqual([method, 405, 'GET, HEAD']);
    }
    const head = await raw(`${base()}/models/fraud`, { method: 'HEAD' });
    expect([head.status, head.body, Number(head.headers['content-length']) > 1000]).toEqual([200, '', true]);
    expect(head.headers['content-security-policy']).toContain("default-src 'none'");
    // A page elsewhere cannot read the registry through a DNS name pointed at 127.0.0.1.
    const rebound = await raw(`${base()}/`, { headers: { host: 'attacker.example:80' } });
    expect(rebound.status).toBe(403);
  });

  it('shows live changes: a version registered while it runs is on the next page load', async () => {
    writeModel(h.dir, 'm7', { 'model.bin': 'v7' });
    expect((await run(['register', 'fraud', 'm7', '--description', 'registered live'], { cwd: h.dir })).code).toBe(0);
    const w = await visit('/models/fraud');
    expect(await w.page.locator('table.versions tbody tr').count()).toBe(7);
    expect(await w.page.locator('tr[data-version="7"] .desc').textContent()).toBe('registered live');
    await w.close();
  });

  it('off loopback a generated token is required: query once (then a cookie), or a header', async () => {
    const t = await startUi(h.dir, ['--host', '127.0.0.2']);
    try {
      const m = /^http:\/\/127\.0\.0\.2:(\d+)\/\?token=([0-9a-f]{48})$/.exec(t.url);
      expect(m, t.url).not.toBeNull();
      const root = `http://127.0.0.2:${m![1]}`;
      const token = m![2]!;
      expect((await raw(`${root}/models/fraud`)).status).toBe(403);
      expect((await raw(`${root}/models/fraud?token=${'0'.repeat(48)}`)).status).toBe(403);
      expect((await raw(`${root}/models/fraud`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await raw(`${root}/models/fraud`, { headers: { 'x-mlctl-token': token } })).status).toBe(200);
      const first = await raw(`${root}/models/fraud?token=${token}`);
      expect([first.status, first.headers.location]).toEqual([303, '/models/fraud']);
      expect(String(first.headers['set-cookie'])).toMatch(
        /^mlctl_token_\d+=[0-9a-f]{48}; HttpOnly; SameSite=Strict; Path=\/$/,
      );
      const w = await watchedPage(browser);
      await w.page.goto(t.url);
      expect(w.page.url()).toBe(`${root}/`);
      await w.page.locator('a', { hasText: 'fraud' }).first().click();
      expect(w.page.url()).toBe(`${root}/models/fraud`);
      expect(await w.page.locator('table.versions tbody tr').count()).toBe(7);
      expect(w.errors).toEqual([]);
      await w.close();
      expect(await t.stop('SIGTERM')).toBe(130);
      expect(t.stderr()).toContain('mlctl: ui stopped (SIGTERM)');
    } finally {
      if (t.child.exitCode === null) await t.stop('SIGKILL');
    }
  });

  it('Ctrl-C stops it cleanly: exit 130 like any interrupted command, the port is free again', async () => {
    const port = new URL(ui.url).port;
    expect(await ui.stop('SIGINT')).toBe(130);
    expect(ui.stderr()).toContain('mlctl: ui stopped (SIGINT)');
    expect(ui.stderr()).not.toContain('partial downloads');
    await expect(raw(`http://127.0.0.1:${port}/`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
