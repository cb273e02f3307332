import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { run, tempDir } from '../support/helpers.js';
import { reportHistory } from '../support/report-history.js';
import { parseReportTarget } from '../../src/core/views/target.js';
import { curvesOf, downsample } from '../../src/core/gates/curves.js';
import { aucOf } from '../../src/core/gates/metrics.js';

describe('report targets', () => {
  it('model, version (number or alias), gate-run:<id>, rollout:<id>; anything else says what is accepted', () => {
    expect(parseReportTarget('fraud')).toEqual({ kind: 'model', model: 'fraud' });
    expect(parseReportTarget('fraud@3')).toEqual({ kind: 'version', ref: 'fraud@3' });
    expect(parseReportTarget('fraud@champion')).toEqual({ kind: 'version', ref: 'fraud@champion' });
    expect(parseReportTarget('gate-run:12')).toEqual({ kind: 'gate-run', id: 12 });
    expect(parseReportTarget('rollout:4')).toEqual({ kind: 'rollout', id: 4 });
    expect(() => parseReportTarget('gate-run:x')).toThrow('gate-run:x: the id must be a positive whole number');
    expect(() => parseReportTarget('gate-run:0')).toThrow('the id must be a positive whole number');
    expect(() => parseReportTarget('audit:1')).toThrow(
      'unknown report target "audit:1"; use a model (fraud), a version (fraud@3, fraud@champion), gate-run:<id> or rollout:<id>',
    );
    expect(() => parseReportTarget('Fraud')).toThrow('invalid report target "Fraud"');
    expect(() => parseReportTarget('fraud@')).toThrow('invalid ref');
  });
});

describe('gate curves', () => {
  it('ROC and precision–recall from one sweep; ties move together; the ROC area equals the AUC', () => {
    const labels = Float64Array.from([1, 0, 1, 1, 0, 0, 1, 0]);
    const scores = Float64Array.from([0.9, 0.8, 0.7, 0.7, 0.7, 0.2, 0.1, 0.05]);
    const c = curvesOf(labels, scores)!;
    expect(c.roc).toEqual([
      [0, 0],
      [0, 0.25],
      [0.25, 0.25],
      [0.5, 0.75],
      [0.75, 0.75],
      [0.75, 1],
      [1, 1],
    ]);
    expect(c.pr[0]).toEqual([0, 1]);
    expect(c.pr.at(-1)).toEqual([1, 0.5]);
    let area = 0;
    for (let i = 1; i < c.roc.length; i++)
      area += ((c.roc[i]![0] - c.roc[i - 1]![0]) * (c.roc[i]![1] + c.roc[i - 1]![1])) / 2;
    expect(area).toBeCloseTo(aucOf(labels, scores)!, 12);
  });

  it('at most 500 points, first and last kept; null without both classes or with non-binary labels', () => {
    const n = 5000;
    const labels = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const scores = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % n) / n);
    const c = curvesOf(labels, scores)!;
    expect(c.roc).toHaveLength(500);
    expect(c.roc[0]).toEqual([0, 0]);
    expect(c.roc.at(-1)).toEqual([1, 1]);
    expect(c.pr.length).toBeLessThanOrEqual(500);
    expect(downsample([1, 2, 3], 500)).toEqual([1, 2, 3]);
    expect(curvesOf(Float64Array.from([1, 1]), Float64Array.from([0.2, 0.3]))).toBeNull();
    // Past SAMPLE rows the thresholds are quantiles: still exact points, monotone, (0,0) to (1,1).
    const big = 200_000;
    const bl = Float64Array.from({ length: big }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const bs = Float64Array.from({ length: big }, (_, i) => ((i * 7919) % big) / big / 2 + (i % 4 === 0 ? 0.2 : 0));
    const bc = curvesOf(bl, bs)!;
    expect(bc.roc.length).toBeLessThanOrEqual(500);
    expect(bc.roc[0]).toEqual([0, 0]);
    expect(bc.roc.at(-1)).toEqual([1, 1]);
    let area = 0;
    for (let i = 1; i < bc.roc.length; i++) {
      expect(bc.roc[i]![0]).toBeGreaterThanOrEqual(bc.roc[i - 1]![0]);
      expect(bc.roc[i]![1]).toBeGreaterThanOrEqual(bc.roc[i - 1]![1]);
      area += ((bc.roc[i]![0] - bc.roc[i - 1]![0]) * (bc.roc[i]![1] + bc.roc[i - 1]![1])) / 2;
    }
    expect(Math.abs(area - aucOf(bl, bs)!)).toBeLessThan(0.002);
    expect(curvesOf(Float64Array.from([1, 2, 0]), Float64Array.from([0.2, 0.3, 0.1]))).toBeNull();
  });
});

describe('mlctl report (command)', () => {
  let h: Awaited<ReturnType<typeof reportHistory>>;
  const dirs: string[] = [];
  beforeAll(async () => {
    h = await reportHistory();
    dirs.push(h.dir);
  });
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('writes the file atomically and says where; --json prints the view model', async () => {
    const r = await run(['report', 'fraud', '--html', 'fraud.html'], { cwd: h.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote fraud\.html \(\d+\.\d KiB\): fraud\n$/);
    expect(readdirSync(h.dir).filter((f) => f.startsWith('fraud.html'))).toEqual(['fraud.html']);
    const j = await run(['report', 'fraud@5', '--json'], { cwd: h.dir });
    const data = JSON.parse(j.stdout).data;
    expect(data).toMatchObject({ kind: 'version', ref: 'fraud@5', champion: 'fraud@4', parent: 'fraud@4' });
    expect(data.metrics.find((m: any) => m.name === 'auc')).toMatchObject({ value: 0.84, champion: 0.86 });
    const out = await run(['report', 'gate-run:1', '--html', '-'], { cwd: h.dir });
    expect(out.stdout).toMatch(/^<!doctype html>/);
  });

  it('stores ≤ 500-point curves of both models with a gate run from predictions; a run without them still reports', async () => {
    const db = new Database(h.registry, { readonly: true });
    const report = JSON.parse((db.prepare('SELECT report FROM gate_runs WHERE id = 1').get() as any).report);
    db.close();
    expect(report.curves.rows).toBe(800);
    for (const side of ['candidate', 'baseline'])
      for (const k of ['roc', 'pr']) {
        expect(report.curves[side][k].length).toBeGreaterThan(10);
        expect(report.curves[side][k].length).toBeLessThanOrEqual(500);
      }
    const j = await run(['report', 'gate-run:1', '--json'], { cwd: h.dir });
    expect(JSON.parse(j.stdout).data.curves.candidate.roc).toEqual(report.curves.candidate.roc);
  });

  it('bad input: one line, exit 2, nothing written', async () => {
    const cases: Array<[string[], string]> = [
      [
        ['report', 'fraud'],
        'mlctl: say where to write the report: --html <file> (or --html - for stdout, --json for its data)\n',
      ],
      [
        ['report', 'gate-run:99', '--html', 'x.html'],
        "mlctl: gate run 99 does not exist; mlctl lineage <model>@<version> lists a version's gate runs\n",
      ],
      [
        ['report', 'rollout:7', '--html', 'x.html'],
        "mlctl: rollout 7 does not exist; mlctl rollout status <model> lists a model's rollouts\n",
      ],
      [['report', 'fraud@9', '--html', 'x.html'], 'mlctl: fraud@9 does not exist; fraud has versions 1-6\n'],
      [['report', 'nope', '--html', 'x.html'], 'mlctl: unknown model "nope"; known models: fraud\n'],
      [
        ['report', 'fraud', '--html', 'no/such/dir/x.html'],
        `mlctl: cannot write no/such/dir/x.html: folder ${join(h.dir, 'no/such/dir')} does not exist; create it or choose another path\n`,
      ],
      [['report', 'fraud', '--html', '-', '--json'], 'mlctl: --html - and --json both write to stdout; choose one\n'],
    ];
    for (const [args, err] of cases) {
      const r = await run(args, { cwd: h.dir });
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, err]);
    }
    expect(existsSync(join(h.dir, 'x.html'))).toBe(false);
  });

  it('mlctl gate --report-html writes the page whatever the verdict', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const { writePredictions } = await import('../support/predictions.js');
    const p = writePredictions(h.dir, { shift: -0.6, n: 800, seed: 3 });
    const r = await run(
      [
        'gate',
        'fraud@6',
        '--predictions',
        p.cand,
        '--baseline-predictions',
        p.base,
        '--report-html',
        join(dir, 'gate.html'),
      ],
      { cwd: h.dir },
    );
    expect(r.code).toBe(1);
    expect(existsSync(join(dir, 'gate.html'))).toBe(true);
    const runs = () => {
      const db = new Database(h.registry, { readonly: true });
      const n = (db.prepare('SELECT count(*) AS n FROM gate_runs').get() as any).n;
      db.close();
      return n;
    };
    const before = runs();
    const refused = await run(
      [
        'gate',
        'fraud@6',
        '--predictions',
        p.cand,
        '--baseline-predictions',
        p.base,
        '--report-html',
        'nowhere/gate.html',
      ],
      { cwd: h.dir },
    );
    expect([refused.code, refused.stderr]).toEqual([
      2,
      `mlctl: cannot write nowhere/gate.html: folder ${join(h.dir, 'nowhere')} does not exist; create it or choose another path\n`,
    ]);
    expect(runs()).toBe(before);
  });
});
