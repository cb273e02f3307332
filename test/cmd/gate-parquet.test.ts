import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, tempProject, writeModel } from '../support/helpers.js';
import { writePredictions } from '../support/predictions.js';
import { writeParquet } from '../support/duckdb.js';

const POLICY = `metrics:
  auc: { direction: higher, required: true }
gates:
  - id: auc-floor
    metric: auc
    min: 0.70
  - id: auc-noninferior
    metric: auc
    max_regression: { absolute: 0.005, relative: 0.01 }
    significance: { test: delong, alpha: 0.05, margin: 0.005 }
    slices: all
slices:
  - { name: us, where: { country: US }, min_rows: 10 }
  - { name: de, where: { country: [DE] }, min_rows: 10 }
baseline: { if_missing: absolute_only }
`;

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function setup() {
  const dir = await tempProject();
  dirs.push(dir);
  writeFileSync(join(dir, 'gates.yaml'), POLICY);
  writeModel(dir, 'm1', { 'w.bin': 'one' });
  writeModel(dir, 'm2', { 'w.bin': 'two' });
  await run(['register', 'fraud', 'm1'], { cwd: dir });
  await run(['register', 'fraud', 'm2'], { cwd: dir });
  const p = writePredictions(dir, { shift: 0.25 });
  for (const [csv, codec] of [
    [p.cand, 'snappy'],
    [p.base, 'zstd'],
  ] as const) {
    await writeParquet(`SELECT * FROM read_csv('${join(dir, csv)}')`, join(dir, csv.replace('.csv', '.parquet')), [
      `COMPRESSION ${codec}`,
    ]);
  }
  return dir;
}

const gate = (dir: string, cand: string, base: string) =>
  run(['gate', 'fraud@2', '--against', 'fraud@1', '--predictions', cand, '--baseline-predictions', base, '--json'], {
    cwd: dir,
  });

describe('mlctl gate with Parquet predictions', () => {
  it('gives the same verdict, checks and dataset digest as the CSV of the same rows', async () => {
    const dir = await setup();
    const fromCsv = await gate(dir, 'cand.csv', 'base.csv');
    const fromParquet = await gate(dir, 'cand.parquet', 'base.parquet');
    expect(fromCsv.code, fromCsv.stderr).toBe(0);
    expect(fromParquet.code, fromParquet.stderr).toBe(0);
    const a = JSON.parse(fromCsv.stdout).data;
    const b = JSON.parse(fromParquet.stdout).data;
    expect(b.verdict).toBe('pass');
    expect(b.dataset).toEqual(a.dataset);
    const strip = (checks: Array<Record<string, unknown>>) => checks.map(({ elapsed_ms: _e, ...c }) => c);
    expect(strip(b.checks)).toEqual(strip(a.checks));
    expect(b.checks.some((c: { id: string }) => c.id.includes('de'))).toBe(true);
  });

  it('a truncated Parquet file is exit 2 naming the file, and nothing is recorded', async () => {
    const dir = await setup();
    const bytes = readFileSync(join(dir, 'cand.parquet'));
    writeFileSync(join(dir, 'cut.parquet'), bytes.subarray(0, bytes.length - 40));
    const r = await run(
      [
        'gate',
        'fraud@2',
        '--against',
        'fraud@1',
        '--predictions',
        'cand.parquet',
        '--baseline-predictions',
        'cut.parquet',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^mlctl: cut\.parquet: not a readable Parquet file \(.+\); check that it was written completely\n$/,
    );
    const show = JSON.parse((await run(['show', 'fraud@2', '--json'], { cwd: dir })).stdout).data;
    expect(show.status).toBe('registered');
  });
});
