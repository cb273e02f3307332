import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePredictions } from '../../src/core/gates/predictions.js';
import { readParquetPredictions } from '../../src/core/gates/predictions-parquet.js';
import { readPredictionsFile } from '../../src/core/gates/predictions-file.js';
import { parquetLayout, writeCsv, writeParquet } from '../support/duckdb.js';
import { tempDir } from '../support/helpers.js';

const dir = tempDir('mlctl-parquet-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic rows: string ids, 0/1 labels, six-decimal scores, a low-cardinality slice column. */
const rows = (n: number) => `
  SELECT 'r' || i AS id,
         (hash(i) % 3 = 0)::INTEGER AS label,
         round((hash(i * 7) % 1000003)::DOUBLE / 1000003, 6) AS score,
         ['US', 'DE', 'FR', 'GB'][(i % 4) + 1] AS country
  FROM range(${n}) t(i)`;

async function same(select: string, name: string, options: string[]) {
  const pq = join(dir, `${name}.parquet`);
  const csv = join(dir, `${name}.csv`);
  await writeParquet(select, pq, options);
  await writeCsv(select, csv);
  const a = await readParquetPredictions(pq, `${name}.parquet`);
  const b = parsePredictions(readFileSync(csv, 'utf8'), `${name}.csv`);
  expect(a.ids).toEqual(b.ids);
  expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
  expect(Array.from(a.scores)).toEqual(Array.from(b.scores));
  expect(a.predictions ? Array.from(a.predictions) : null).toEqual(b.predictions ? Array.from(b.predictions) : null);
  expect([...a.columns.entries()]).toEqual([...b.columns.entries()]);
  expect(Array.from(a.idHashes)).toEqual(Array.from(b.idHashes));
  expect(a.binary).toBe(b.binary);
  return { pq, layout: await parquetLayout(pq) };
}

describe('Parquet predictions read like the CSV of the same rows', () => {
  it('snappy (the pandas/pyarrow default), with dictionary-encoded and PLAIN columns, across row groups', async () => {
    const { layout } = await same(rows(5000), 'snappy', ['COMPRESSION snappy', 'ROW_GROUP_SIZE 2048']);
    expect(new Set(layout.map((l) => l.compression))).toEqual(new Set(['SNAPPY']));
    expect(layout.find((l) => l.column === 'country')!.encodings).toMatch(/DICTIONARY/);
    expect(layout.find((l) => l.column === 'score')!.encodings).toBe('PLAIN');
    expect(layout.filter((l) => l.column === 'id')).toHaveLength(3); // three row groups
  });

  it('zstd, gzip and uncompressed', async () => {
    for (const codec of ['zstd', 'gzip', 'uncompressed']) {
      const { layout } = await same(rows(3000), codec, [`COMPRESSION ${codec}`]);
      expect(layout[0]!.compression).toBe(codec.toUpperCase());
    }
  });

  it('format version 2 pages: delta, byte-stream-split and RLE encodings', async () => {
    const select = `SELECT *, (i % 2)::BIGINT AS prediction FROM (${rows(4000)}) JOIN range(4000) r(i) ON id = 'r' || i`;
    const { layout } = await same(`SELECT id, label, score, prediction, country FROM (${select})`, 'v2', [
      'COMPRESSION zstd',
      'PARQUET_VERSION V2',
    ]);
    const enc = layout.map((l) => l.encodings).join(' ');
    expect(enc).toMatch(/DELTA_LENGTH_BYTE_ARRAY/);
    expect(enc).toMatch(/BYTE_STREAM_SPLIT|DELTA_BINARY_PACKED/);
  });

  it('a dictionary-encoded double column (few distinct scores, as pyarrow encodes by default)', async () => {
    const select = `SELECT 'r' || i AS id, (i % 2)::INTEGER AS label, (i % 10)::DOUBLE / 10 AS score FROM range(3000) t(i)`;
    const { layout } = await same(select, 'dict-double', ['COMPRESSION snappy']);
    expect(layout.find((l) => l.column === 'score')!.encodings).toMatch(/DICTIONARY/);
  });

  it('integer ids, boolean labels, float scores, nullable and timestamp slice columns', async () => {
    const file = join(dir, 'types.parquet');
    await writeParquet(
      `SELECT i::BIGINT AS id, (i % 2 = 0) AS label, (i / 10)::FLOAT AS score, (i % 2)::TINYINT AS prediction,
              CASE WHEN i % 3 = 0 THEN NULL ELSE 'seg' || (i % 3) END AS segment,
              TIMESTAMP '2026-01-01 00:00:00' + INTERVAL (i) HOUR AS at,
              i::BIGINT AS __index_level_0__
       FROM range(6) t(i)`,
      file,
      ['COMPRESSION snappy'],
    );
    const p = await readParquetPredictions(file, 'types.parquet');
    expect(p.ids).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(Array.from(p.labels)).toEqual([1, 0, 1, 0, 1, 0]);
    expect(p.binary).toBe(true);
    expect(p.scores[5]).toBeCloseTo(0.5, 6);
    expect(Array.from(p.predictions!)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(p.columns.get('segment')).toEqual(['', 'seg1', 'seg2', '', 'seg1', 'seg2']);
    expect(p.columns.get('at')![1]).toBe('2026-01-01T01:00:00.000Z');
    // pandas' stored index is not a slice column
    expect([...p.columns.keys()]).toEqual(['segment', 'at']);
  });

  it('UTF-8 text in PLAIN and dictionary-encoded columns', async () => {
    const select = `SELECT 'ü-' || i || '-東京' AS id, (i % 2)::INTEGER AS label, 0.5 AS score,
        ['Zürich', '東京', 'São Paulo', 'x'][(i % 4) + 1] AS city FROM range(50) t(i)`;
    const { pq } = await same(select, 'utf8', ['COMPRESSION snappy']);
    const p = await readParquetPredictions(pq, 'utf8.parquet');
    expect(p.ids[3]).toBe('ü-3-東京');
    expect(p.columns.get('city')!.slice(0, 3)).toEqual(['Zürich', '東京', 'São Paulo']);
  });

  it('is chosen by readPredictionsFile from the magic bytes even without the extension', async () => {
    const file = join(dir, 'preds.out');
    await writeParquet(rows(10), file);
    const p = await readPredictionsFile(file, 'preds.out');
    expect(p.ids).toHaveLength(10);
  });
});

describe('bad Parquet predictions are one located usage error', () => {
  const bad = async (select: string, name: string) => {
    const file = join(dir, name);
    await writeParquet(select, file);
    return readParquetPredictions(file, name);
  };

  it('a null or non-finite score names the row and the column', async () => {
    await expect(
      bad(
        `SELECT 'r' || i AS id, 1 AS label, CASE WHEN i = 2 THEN NULL ELSE 0.5 END AS score FROM range(4) t(i)`,
        'null.parquet',
      ),
    ).rejects.toThrow('null.parquet: row 3: score must be a finite number, got null');
    await expect(
      bad(
        `SELECT 'r' || i AS id, 1 AS label, CASE WHEN i = 1 THEN 'nan'::DOUBLE ELSE 0.5 END AS score FROM range(4) t(i)`,
        'nan.parquet',
      ),
    ).rejects.toThrow('nan.parquet: row 2: score must be a finite number, got NaN');
  });

  it('a missing column, a duplicate id, no rows', async () => {
    await expect(bad(`SELECT 'a' AS id, 0.5 AS score`, 'nolabel.parquet')).rejects.toThrow(
      'nolabel.parquet: missing column(s) label; a predictions file needs id, label and score',
    );
    await expect(
      bad(`SELECT ['a','b','a'][i + 1] AS id, 1 AS label, 0.5 AS score FROM range(3) t(i)`, 'dup.parquet'),
    ).rejects.toThrow('dup.parquet: row 3: duplicate id "a" (first in row 1)');
    await expect(bad(`SELECT 'a' AS id, 1 AS label, 0.5 AS score WHERE false`, 'empty.parquet')).rejects.toThrow(
      'empty.parquet: no rows',
    );
  });

  it('a truncated file, a corrupted page and a file that is not Parquet at all', async () => {
    const file = join(dir, 'whole.parquet');
    await writeParquet(rows(2000), file, ['COMPRESSION snappy']);
    const bytes = readFileSync(file);
    writeFileSync(join(dir, 'cut.parquet'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(readParquetPredictions(join(dir, 'cut.parquet'), 'cut.parquet')).rejects.toThrow(
      /^cut\.parquet: not a readable Parquet file \(.+\); check that it was written completely$/,
    );
    // Garbage over the first column's pages: the footer is intact, the data is not.
    const corrupt = Buffer.from(bytes);
    corrupt.fill(0xff, 4, 4000);
    writeFileSync(join(dir, 'corrupt.parquet'), corrupt);
    await expect(readParquetPredictions(join(dir, 'corrupt.parquet'), 'corrupt.parquet')).rejects.toThrow(
      /^corrupt\.parquet: not a readable Parquet file/,
    );
    writeFileSync(join(dir, 'csv.parquet'), 'id,label,score\na,1,0.5\n');
    await expect(readParquetPredictions(join(dir, 'csv.parquet'), 'csv.parquet')).rejects.toThrow(
      'csv.parquet: not a Parquet file (it does not start with PAR1)',
    );
  });
});
