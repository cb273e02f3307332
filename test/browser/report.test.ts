import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { run, tempDir } from '../support/helpers.js';
import { git } from '../support/gitops-project.js';
import { reportHistory, XSS } from '../support/report-history.js';
import { launchChromium, screenshot, watchedPage } from '../support/browser.js';
import { SqliteRegistry } from '../../src/adapters/sqlite/sqlite-registry.js';
import { buildRolloutView } from '../../src/core/views/rollout.js';
import { renderView, staticLinks } from '../../src/cli/render/html/render.js';

/** Every report kind opened in a real headless Chromium (one browser for the file). */
describe('HTML reports in Chromium', () => {
  let browser: Browser;
  let h: Awaited<ReturnType<typeof reportHistory>>;
  let out: string;

  beforeAll(async () => {
    [browser, h] = await Promise.all([launchChromium(), reportHistory()]);
    out = tempDir('mlctl-reports-');
  });
  afterAll(async () => {
    await browser?.close();
    for (const d of [h?.dir, out]) if (d) rmSync(d, { recursive: true, force: true });
  });

  async function report(target: string): Promise<string> {
    const file = join(out, `${target.replace(/[^a-z0-9]+/g, '-')}.html`);
    const r = await run(['report', target, '--html', file], { cwd: h.dir });
    expect(r.code, r.stderr).toBe(0);
    return file;
  }

  /** Open a file: nothing but the file itself is requested, nothing goes wrong, no dialog opens. */
  async function open(file: string, o: { javaScript?: boolean; shot?: string } = {}) {
    const w = await watchedPage(browser, o);
    const url = pathToFileURL(file).href;
    await w.page.goto(url);
    if (o.shot) await screenshot(w.page, o.shot);
    return {
      ...w,
      clean() {
        expect(w.errors).toEqual([]);
        expect(w.dialogs).toEqual([]);
        expect(w.requests).toEqual([url]);
      },
    };
  }

  const pointsIn = (d: string) => (d.match(/M/g) ?? []).length;

  it('model: version rows match the registry, one chart per metric with a point per version that has it, champions ringed, user text shown as text', async () => {
    const file = await report('fraud');
    const w = await open(file, { shot: 'report-model' });
    const { page } = w;
    const listed = JSON.parse((await run(['list', 'fraud', '--json'], { cwd: h.dir })).stdout).data.versions;
    const rows = page.locator('table.versions tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((t) => Number(t.getAttribute('data-version'))))).toEqual(
      listed.map((v: any) => v.version),
    );
    for (const v of listed)
      expect((await page.locator(`tr[data-version="${v.version}"] td:nth-child(2)`).textContent())?.trim()).toBe(
        v.status,
      );
    expect(
      await page.locator('figure[data-metric]').evaluateAll((f) => f.map((x) => x.getAttribute('data-metric'))),
    ).toEqual(['accuracy', 'auc', 'latency_ms']);
    const auc = page.locator('figure[data-metric="auc"]');
    expect(await auc.locator('g.series').getAttribute('data-points')).toBe('4');
    expect(pointsIn((await auc.locator('path.dots').getAttribute('d'))!)).toBe(4);
    expect(await auc.locator('g.series').getAttribute('data-xs')).toBe('3,4,5,6');
    // fraud@1 and fraud@4 were champions; only fraud@4 has an AUC to ring.
    expect(await auc.locator('g.champions circle').count()).toBe(1);
    expect(pointsIn((await page.locator('figure[data-metric="latency_ms"] path.dots').getAttribute('d'))!)).toBe(1);
    expect(await page.locator('table.champions tbody tr').count()).toBe(2);
    expect(await page.locator('table.rollouts tbody tr').count()).toBe(1);
    expect(await page.locator('table.gate-runs tbody tr').count()).toBe(2);
    // The description and the tag are user text: shown as written, never run or parsed.
    expect(await page.locator('tr[data-version="4"] .desc').textContent()).toBe(XSS);
    expect(await page.locator('tr[data-version="4"] .tag').textContent()).toBe('note=<b>bold</b>');
    expect(await page.locator('tr[data-version="4"] b').count()).toBe(0);
    expect(await page.evaluate(() => document.scripts.length)).toBe(1);
    // The script sorts tables and adds a filter box.
    await page.locator('table.versions thead th').first().click();
    expect(await rows.first().getAttribute('data-version')).toBe('1');
    await page.locator('input.rowfilter').fill('<script>');
    expect(await page.locator('table.versions tbody tr:not([hidden])').count()).toBe(1);
    w.clean();
    await w.close();
  });

  it('model without JavaScript: the same tables and charts, no filter box', async () => {
    const w = await open(await report('fraud'), { javaScript: false, shot: 'report-model-nojs' });
    expect(await w.page.locator('table.versions tbody tr').count()).toBe(6);
    expect(await w.page.locator('svg.chart').count()).toBe(3);
    expect(await w.page.locator('input.rowfilter').count()).toBe(0);
    expect(await w.page.locator('tr[data-version="4"] .desc').textContent()).toBe(XSS);
    w.clean();
    await w.close();
  });

  it('version: metrics against the champion, lineage graph, gate runs, schema-less and file tables', async () => {
    const w = await open(await report('fraud@5'), { shot: 'report-version' });
    const { page } = w;
    expect(await page.locator('h1').textContent()).toContain('fraud@5');
    const auc = page.locator('table.metrics tbody tr', { hasText: 'auc' });
    expect(await auc.locator('td').allTextContents()).toEqual(['auc', 'overall', '0.8400', '0.8600', '−0.0200', '–']);
    // Parents up three levels (4, 3, 2) and the child 6.
    const lineage = page.locator('svg.lineage');
    expect(await lineage.locator('g.node').evaluateAll((g) => g.map((n) => n.getAttribute('data-id')).sort())).toEqual([
      'fraud@2',
      'fraud@3',
      'fraud@4',
      'fraud@5',
      'fraud@6',
    ]);
    expect(await lineage.locator('path.edge').count()).toBe(4);
    expect(await lineage.locator('g.node.focus').getAttribute('data-id')).toBe('fraud@5');
    expect(await page.locator('table.gate-runs tbody tr').count()).toBe(1);
    expect(await page.locator('table.files tbody tr').count()).toBe(1);
    w.clean();
    await w.close();
    const v4 = await open(await report('fraud@champion'));
    expect(await v4.page.locator('.desc').first().textContent()).toBe(XSS);
    expect(await v4.page.locator('svg.lineage g.node').count()).toBe(5);
    v4.clean();
    await v4.close();
  });

  it('gate run: every check with its inequality and p-value, ROC and PR curves of both models with the stored points', async () => {
    const db = new Database(h.registry, { readonly: true });
    const stored = JSON.parse((db.prepare('SELECT report FROM gate_runs WHERE id = 1').get() as any).report);
    db.close();
    const w = await open(await report('gate-run:1'), { shot: 'report-gate-run' });
    const { page } = w;
    expect(await page.locator('table.checks tbody tr').count()).toBe(stored.checks.length);
    for (const c of stored.checks)
      expect(await page.locator(`tr[data-check="${c.id}"] td:nth-child(6)`).textContent()).toBe(c.inequality);
    expect(await page.locator('tr[data-check="auc-noninferior:delong"] td:nth-child(8)').textContent()).not.toBe('–');
    for (const [kind, key] of [
      ['roc', 'roc'],
      ['pr', 'pr'],
    ] as const) {
      const series = page.locator(`figure[data-curve="${kind}"] g.series`);
      expect(await series.evaluateAll((g) => g.map((x) => x.getAttribute('data-series')))).toEqual([
        'fraud@4',
        'fraud@1',
      ]);
      const points = await series.evaluateAll((g) => g.map((x) => Number(x.getAttribute('data-points'))));
      expect(points).toEqual([stored.curves.candidate[key].length, stored.curves.baseline[key].length]);
      const d = await series.locator('path.line').evaluateAll((p) => p.map((x) => x.getAttribute('d')!));
      expect(d.map((x) => (x.match(/[ML]/g) ?? []).length)).toEqual(points);
    }
    w.clean();
    await w.close();
  });

  it('rollout: stages on a time line with their commits, every check result', async () => {
    const w = await open(await report('rollout:1'), { shot: 'report-rollout' });
    const { page } = w;
    expect(await page.locator('table.stages tbody tr td:nth-child(3)').allTextContents()).toEqual([
      'done',
      'done',
      'done',
    ]);
    expect(await page.locator('svg.timeline g.stages').getAttribute('data-points')).toBe('3');
    const commits = await page.locator('table.stages tbody tr td:nth-child(6)').allTextContents();
    const log = git(h.dir, 'log', '--format=%H').split('\n');
    for (const c of commits) expect(log.some((full) => full.startsWith(c))).toBe(true);
    expect(
      await page
        .locator('table.check-runs tbody tr', { hasText: 'ok' })
        .first()
        .locator('td:nth-child(4)')
        .textContent(),
    ).toBe('pass');
    expect(await page.locator('figure[data-compare]').count()).toBe(0);
    w.clean();
    await w.close();
  });

  it('rollout with live compare checks (a hand-built view): each look an interval, coloured by verdict, the margin drawn', async () => {
    const reg = SqliteRegistry.open(h.registry);
    const view = await buildRolloutView(reg, 1, new Date('2026-11-23T12:00:00Z'));
    await reg.close();
    const look = (min: number, estimate: number, r: number, verdict: 'pass' | 'fail' | 'inconclusive') => ({
      at: new Date(Date.parse('2026-11-23T10:11:00Z') + min * 60_000).toISOString(),
      estimate,
      lower: estimate - r,
      upper: estimate + r,
      margin: 0.002,
      verdict,
    });
    view.compareChecks = [
      {
        name: 'errors-vs-champion',
        stage: 'shadow (mirror 50%)',
        looks: [
          look(0, 0.001, 0.01, 'inconclusive'),
          look(15, 0.0005, 0.004, 'inconclusive'),
          look(30, -0.0004, 0.0021, 'pass'),
        ],
      },
      {
        name: '<img src=x onerror=alert(1)>',
        stage: null,
        looks: [look(0, 0.004, 0.003, 'inconclusive'), look(20, 0.005, 0.0015, 'fail')],
      },
    ];
    const file = join(out, 'rollout-compare.html');
    writeFileSync(file, renderView(view, staticLinks));
    const w = await open(file, { shot: 'report-rollout-compare' });
    const { page } = w;
    const first = page.locator('figure[data-compare="errors-vs-champion"]');
    expect(await first.locator('g.looks').getAttribute('data-points')).toBe('3');
    expect(await first.locator('line.iv').count()).toBe(3);
    expect(await first.locator('line.iv.pass').count()).toBe(1);
    expect(await first.locator('line.margin').count()).toBe(1);
    const second = page.locator('figure[data-compare="<img src=x onerror=alert(1)>"]');
    expect(await second.locator('figcaption').textContent()).toBe('<img src=x onerror=alert(1)>');
    expect(await second.locator('line.iv.fail').count()).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    w.clean();
    await w.close();
  });

  it('a gate run recorded before curves were kept still reports, and says why there are none', async () => {
    const db = new Database(h.registry);
    db.prepare("UPDATE gate_runs SET report = json_remove(report, '$.curves') WHERE id = 2").run();
    db.close();
    const w = await open(await report('gate-run:2'));
    expect(await w.page.locator('svg.curve').count()).toBe(0);
    expect(await w.page.locator('main').textContent()).toContain('No curves were stored with this run');
    expect(await w.page.locator('table.checks tbody tr').count()).toBeGreaterThan(0);
    w.clean();
    await w.close();
  });
});
