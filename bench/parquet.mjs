// Reading 1M-row prediction files: Parquet (snappy, the pandas/pyarrow default; zstd) against the
// CSV of the same rows, all written by DuckDB. Time of the read itself in a fresh process (median
// of 5; a gate reads each file once, so a cold read is the case that matters). Target: ≤ 1.0×.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, timed } from './lib.mjs';

const ROWS = Number(process.env.BENCH_PARQUET_ROWS ?? 1_000_000);
const DATA = join(ROOT, 'bench/data/parquet');
const RUNS = 5;

async function writeFiles() {
  mkdirSync(DATA, { recursive: true });
  const f = (ext) => join(DATA, `pred-${ROWS}.${ext}`);
  const files = { csv: f('csv'), snappy: f('snappy.parquet'), zstd: f('zstd.parquet') };
  if (Object.values(files).every(existsSync)) return files;
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`CREATE TABLE p AS SELECT 'r' || i AS id, (hash(i) % 10 < 3)::INTEGER AS label,
      round((hash(i * 7) % 1000003)::DOUBLE / 1000003, 6) AS score,
      ['US', 'DE', 'FR', 'GB'][(i % 4) + 1] AS country FROM range(${ROWS}) t(i)`);
  await c.run(`COPY p TO '${files.csv}' (HEADER, DELIMITER ',')`);
  await c.run(`COPY p TO '${files.snappy}' (FORMAT parquet, COMPRESSION snappy)`);
  await c.run(`COPY p TO '${files.zstd}' (FORMAT parquet, COMPRESSION zstd)`);
  c.closeSync();
  db.closeSync();
  return files;
}

async function read(file) {
  const xs = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await timed(process.execPath, [join(ROOT, 'bench/read-predictions.mjs'), file]);
    const out = JSON.parse(r.stdout);
    if (out.rows !== ROWS) throw new Error(`${file}: read ${out.rows} rows, expected ${ROWS}`);
    xs.push(out.ms);
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(RUNS / 2)];
}

export async function run() {
  const files = await writeFiles();
  const csv = await read(files.csv);
  const snappy = await read(files.snappy);
  const zstd = await read(files.zstd);
  const rows = `${ROWS / 1e6}M`;
  const ms = (x) => `${x.toFixed(0)} ms`;
  return [
    { name: `read ${rows}-row predictions, CSV (baseline)`, value: ms(csv) },
    {
      name: `read ${rows}-row predictions, Parquet snappy`,
      value: ms(snappy),
      baseline: 'CSV',
      ratio: snappy / csv,
      target: '≤ 1.0×',
      ok: snappy <= csv,
    },
    { name: `read ${rows}-row predictions, Parquet zstd (info)`, value: ms(zstd), baseline: 'CSV', ratio: zstd / csv },
  ];
}
