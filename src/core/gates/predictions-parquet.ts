import { open, stat } from 'node:fs/promises';
import { readInput } from '../inputs/read-input.js';
import { MlctlError, UsageError } from '../errors.js';
import { checkDuplicates, type Predictions } from './predictions.js';
import type { ColumnSink } from '../inputs/parquet/flat-columns.js';

/**
 * Parquet predictions (what pandas, pyarrow, polars and DuckDB write): the columns of the CSV form,
 * `id,label,score[,prediction][,slice columns]`, with the CSV's rules: label, score and prediction
 * finite numbers (integers and booleans count), ids unique, slice columns as text (null → empty).
 */

const NAMED = ['id', 'label', 'score', 'prediction'];
/** pandas stores a non-default index as a column of its own; it is not a slice key. */
const PANDAS_INDEX = /^__index_level_\d+__$/;

/** Parse an in-memory Parquet file; every malformed input is a UsageError naming the file. */
export async function parseParquetPredictions(buf: ArrayBuffer, file: string): Promise<Predictions> {
  // Loaded here, not at the top: the reader and its codecs are only paid for by Parquet inputs.
  const { openParquet, readFlatColumns } = await import('../inputs/parquet/flat-columns.js');
  try {
    const table = await openParquet(buf, file);
    const missing = ['id', 'label', 'score'].filter((c) => !table.flat.includes(c) && !table.nested.includes(c));
    if (missing.length)
      throw new UsageError(
        `${file}: missing column(s) ${missing.join(', ')}; a predictions file needs id, label and score (prediction and slice columns are optional)`,
      );
    for (const c of NAMED)
      if (table.nested.includes(c))
        throw new UsageError(`${file}: column ${c} is a list, map or struct; it must hold one value per row`);
    const n = table.rows;
    if (n === 0) throw new UsageError(`${file}: no rows`);
    // Nested extra columns cannot be slice keys; they are left out, like the pandas index.
    const extras = table.flat.filter((c) => !NAMED.includes(c) && !PANDAS_INDEX.test(c));
    const ids = new Array<string>(n);
    const labels = new Float64Array(n);
    const scores = new Float64Array(n);
    const preds = table.flat.includes('prediction') ? new Float64Array(n) : null;
    const columns = new Map<string, string[]>(extras.map((c) => [c, new Array<string>(n)]));
    const sinks = new Map<string, ColumnSink>([
      ['id', { kind: 'str', name: 'id', out: ids }],
      ['label', { kind: 'num', name: 'label', out: labels }],
      ['score', { kind: 'num', name: 'score', out: scores }],
    ]);
    if (preds) sinks.set('prediction', { kind: 'num', name: 'prediction', out: preds });
    for (const [c, out] of columns) sinks.set(c, { kind: 'str', name: c, out });
    readFlatColumns(buf, table, sinks, file);
    let binary = true;
    for (let i = 0; i < n && binary; i++) binary = labels[i] === 0 || labels[i] === 1;
    const idHashes = checkDuplicates(file, ids, null);
    return { file, ids, idHashes, labels, scores, predictions: preds, columns, binary };
  } catch (err) {
    if (err instanceof MlctlError) throw err;
    // hyparquet's and the page reader's errors: a truncated, corrupt or unsupported file.
    throw new UsageError(
      `${file}: not a readable Parquet file (${(err as Error).message.replace(/^parquet /, '')}); check that it was written completely`,
    );
  }
}

/** True when the name says Parquet or the file starts with Parquet's magic bytes. */
export async function isParquetFile(path: string): Promise<boolean> {
  if (/\.(parquet|pq)$/i.test(path)) return true;
  // A pipe or a device has no first bytes to peek at without consuming them: it is read as text.
  if (!(await stat(path).catch(() => undefined))?.isFile()) return false;
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return false;
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    return bytesRead === 4 && head.toString('latin1') === 'PAR1';
  } finally {
    await fh.close();
  }
}

export async function readParquetPredictions(path: string, label = path): Promise<Predictions> {
  const data = await readInput(path, label, 'table');
  const buf = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  return parseParquetPredictions(buf, label);
}
