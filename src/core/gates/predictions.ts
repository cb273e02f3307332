import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import { readInputTextSync } from '../inputs/read-input.js';
import { csvHeader, csvRowCapacity, scanCsvRows } from '../inputs/tabular/csv.js';
import { isJsonl, scanJsonl } from '../inputs/tabular/jsonl.js';

/** One model's predictions on an evaluation set, column-oriented for speed. */
export interface Predictions {
  file: string;
  ids: string[];
  /** 52-bit hash of each id (duplicate detection, dataset digest). */
  idHashes: Float64Array;
  labels: Float64Array;
  scores: Float64Array;
  /** Hard predictions when the file has a `prediction` column. */
  predictions: Float64Array | null;
  /** Extra columns (slice keys, features), as text. */
  columns: Map<string, string[]>;
  /** Classification when every label is 0 or 1. */
  binary: boolean;
}

const REQUIRED = ['id', 'label', 'score'];

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * A decimal at text[a, e) without slicing it out. Fast path (Clinger): an integer mantissa below
 * 2^53 divided by an exact power of ten is one correctly rounded operation, so it equals Number().
 * Anything else (exponents, long mantissas, blanks, junk) goes through Number() and its checks.
 */
function numAt(text: string, a: number, e: number, file: string, lineNo: number, column: string): number {
  let i = a;
  let neg = false;
  if (i < e && (text.charCodeAt(i) === 45 || text.charCodeAt(i) === 43)) neg = text.charCodeAt(i++) === 45;
  let mant = 0;
  let digits = 0;
  let frac = -1;
  for (; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      digits++;
    } else if (c === 46 && frac < 0) frac = i;
    else break;
  }
  if (i === e && digits > 0 && digits <= 15) {
    const k = frac < 0 ? 0 : e - frac - 1;
    if (k <= 22) {
      const v = k ? mant / POW10[k]! : mant;
      return neg ? -v : v;
    }
  }
  return num(text.slice(a, e), file, lineNo, column);
}

function num(text: string | undefined, file: string, lineNo: number, column: string): number {
  const v = text === undefined || text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(v)) {
    throw new UsageError(`${file}:${lineNo}: ${column} must be a finite number, got ${JSON.stringify(text ?? '')}`);
  }
  return v;
}

/** Rows of text cells (from JSON Lines) into typed arrays. */
function build(file: string, header: string[], rows: Array<{ cells: string[]; line: number }>): Predictions {
  requireColumns(header, file);
  const col = (name: string) => header.indexOf(name);
  const [iId, iLabel, iScore, iPred] = [col('id'), col('label'), col('score'), col('prediction')];
  const n = rows.length;
  if (n === 0) throw new UsageError(`${file}: no rows`);
  const ids = new Array<string>(n);
  const labels = new Float64Array(n);
  const scores = new Float64Array(n);
  const preds = iPred >= 0 ? new Float64Array(n) : null;
  const extra = header.map((h, i) => ({ h, i })).filter(({ h }) => !FIXED.includes(h));
  const columns = new Map<string, string[]>(extra.map(({ h }) => [h, new Array<string>(n)]));
  let binary = true;
  for (let r = 0; r < n; r++) {
    const { cells, line } = rows[r]!;
    if (cells.length !== header.length)
      throw new UsageError(`${file}:${line}: expected ${header.length} fields, got ${cells.length}`);
    ids[r] = cells[iId]!;
    const y = num(cells[iLabel], file, line, 'label');
    labels[r] = y;
    if (y !== 0 && y !== 1) binary = false;
    scores[r] = num(cells[iScore], file, line, 'score');
    if (preds) preds[r] = num(cells[iPred], file, line, 'prediction');
    for (const { h, i } of extra) columns.get(h)![r] = cells[i]!;
  }
  const idHashes = checkDuplicates(
    file,
    ids,
    rows.map((r) => r.line),
  );
  return { file, ids, idHashes, labels, scores, predictions: preds, columns, binary };
}

const FIXED = ['id', 'label', 'score', 'prediction'];

function requireColumns(header: string[], file: string): void {
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length)
    throw new UsageError(
      `${file}: missing column(s) ${missing.join(', ')}; a predictions file needs id, label and score (prediction and slice columns are optional)`,
    );
}

/** CSV into typed arrays, field by field from the scanner's offsets (no per-row arrays or objects). */
function parseCsv(text: string, file: string): Predictions {
  const { header, bodyStart } = csvHeader(text, file);
  requireColumns(header, file);
  const cap = csvRowCapacity(text, bodyStart);
  const [iId, iLabel, iScore, iPred] = FIXED.map((c) => header.indexOf(c)) as [number, number, number, number];
  const extra = header.map((h, i) => ({ h, i })).filter(({ h }) => !FIXED.includes(h));
  const ids = new Array<string>(cap);
  const labels = new Float64Array(cap);
  const scores = new Float64Array(cap);
  const preds = iPred >= 0 ? new Float64Array(cap) : null;
  const extraCols = extra.map(() => new Array<string>(cap));
  // Extra columns usually hold a few distinct values (country, segment): share one string each.
  const interned = extra.map(() => new Map<string, string>());
  const lineOf = new Uint32Array(cap);
  let binary = true;
  let n = 0;
  scanCsvRows(text, file, bodyStart, header.length, ({ src, starts, ends, line }) => {
    ids[n] = src.slice(starts[iId]!, ends[iId]!);
    const y = numAt(src, starts[iLabel]!, ends[iLabel]!, file, line, 'label');
    labels[n] = y;
    if (y !== 0 && y !== 1) binary = false;
    scores[n] = numAt(src, starts[iScore]!, ends[iScore]!, file, line, 'score');
    if (preds) preds[n] = numAt(src, starts[iPred]!, ends[iPred]!, file, line, 'prediction');
    for (let x = 0; x < extra.length; x++) {
      const i = extra[x]!.i;
      const v = src.slice(starts[i]!, ends[i]!);
      const pool = interned[x]!;
      let shared = pool.get(v);
      if (shared === undefined) {
        shared = v;
        if (pool.size < 1024) pool.set(v, v);
      }
      extraCols[x]![n] = shared;
    }
    lineOf[n++] = line;
  });
  if (n === 0) throw new UsageError(`${file}: no rows`);
  ids.length = n;
  for (const c of extraCols) c.length = n;
  const idHashes = checkDuplicates(file, ids, lineOf);
  return {
    file,
    idHashes,
    ids,
    labels: labels.subarray(0, n),
    scores: scores.subarray(0, n),
    predictions: preds ? preds.subarray(0, n) : null,
    columns: new Map(extra.map(({ h }, k) => [h, extraCols[k]!])),
    binary,
  };
}

/** 52-bit hash of a string (two 26-bit FNV-1a lanes), exact in a float64. */
function hash52(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 6) * 67108864 + (b >>> 6);
}

/**
 * Duplicate ids, found with one native sort of 52-bit hashes; only a hash collision takes the
 * exact (Map) path, which also names the lines (or the rows, for `lineOf` null: Parquet).
 */
export function checkDuplicates(file: string, ids: string[], lineOf: ArrayLike<number> | null): Float64Array {
  const empty = ids.indexOf('');
  if (empty >= 0)
    throw new UsageError(
      `${lineOf ? `${file}:${lineOf[empty]}` : file}: empty id at row ${empty + 1}; every row needs an id`,
    );
  const hashes = new Float64Array(ids.length);
  for (let i = 0; i < ids.length; i++) hashes[i] = hash52(ids[i]!);
  const h = Float64Array.from(hashes).sort();
  let collision = false;
  for (let i = 1; i < h.length && !collision; i++) collision = h[i] === h[i - 1];
  if (!collision) return hashes;
  const seen = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) {
    const prev = seen.get(ids[i]!);
    if (prev !== undefined)
      throw new UsageError(
        lineOf
          ? `${file}:${lineOf[i]}: duplicate id ${JSON.stringify(ids[i])} (first on line ${lineOf[prev]})`
          : `${file}: row ${i + 1}: duplicate id ${JSON.stringify(ids[i])} (first in row ${prev + 1})`,
      );
    seen.set(ids[i]!, i);
  }
  return hashes;
}

const cellText = (v: unknown): string =>
  v === undefined || v === null
    ? ''
    : typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : JSON.stringify(v);

function parseJsonl(text: string, file: string): Predictions {
  const objs: Array<{ o: Record<string, unknown>; line: number }> = [];
  const header = scanJsonl(text, file, (o, line) => objs.push({ o, line }));
  return build(
    file,
    header,
    objs.map(({ o, line }) => ({ cells: header.map((h) => cellText(o[h])), line })),
  );
}

export function parsePredictions(text: string, file: string): Predictions {
  return isJsonl(text) ? parseJsonl(text, file) : parseCsv(text, file);
}

export function readPredictions(path: string, label = path): Predictions {
  return parsePredictions(readInputTextSync(path, label, 'table'), label);
}

/**
 * Put the baseline's rows in the candidate's order. Both must cover exactly the same ids with the
 * same labels, or the comparison would not be paired.
 */
export function alignPredictions(cand: Predictions, base: Predictions): Predictions {
  if (cand.ids.length === base.ids.length && cand.ids.every((id, i) => id === base.ids[i])) {
    // Same rows in the same order (the usual case): only the ground truth needs checking.
    for (let i = 0; i < cand.ids.length; i++) {
      if (cand.labels[i] !== base.labels[i]) {
        throw new UsageError(
          `id ${JSON.stringify(cand.ids[i])} has label ${cand.labels[i]} in ${cand.file} but ${base.labels[i]} in ${base.file}; both must use the same ground truth`,
        );
      }
    }
    return base;
  }
  const index = new Map<string, number>();
  for (let i = 0; i < base.ids.length; i++) index.set(base.ids[i]!, i);
  const missing: string[] = [];
  for (const id of cand.ids) if (!index.has(id)) missing.push(id);
  const candIds = new Set(cand.ids);
  const extra = base.ids.filter((id) => !candIds.has(id));
  if (missing.length || extra.length) {
    const show = (xs: string[]) => `${xs.slice(0, 5).join(', ')}${xs.length > 5 ? ` and ${xs.length - 5} more` : ''}`;
    const parts = [];
    if (missing.length) parts.push(`${missing.length} id(s) only in ${cand.file} (${show(missing)})`);
    if (extra.length) parts.push(`${extra.length} id(s) only in ${base.file} (${show(extra)})`);
    throw new UsageError(
      `predictions do not cover the same ids: ${parts.join('; ')}; evaluate both models on the same rows`,
    );
  }
  const n = cand.ids.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = index.get(cand.ids[i]!)!;
  const labels = new Float64Array(n);
  const scores = new Float64Array(n);
  const preds = base.predictions ? new Float64Array(n) : null;
  for (let i = 0; i < n; i++) {
    const j = order[i]!;
    labels[i] = base.labels[j]!;
    if (labels[i] !== cand.labels[i]) {
      throw new UsageError(
        `id ${JSON.stringify(cand.ids[i])} has label ${cand.labels[i]} in ${cand.file} but ${labels[i]} in ${base.file}; both must use the same ground truth`,
      );
    }
    scores[i] = base.scores[j]!;
    if (preds) preds[i] = base.predictions![j]!;
  }
  const columns = new Map<string, string[]>();
  for (const [k, v] of base.columns)
    columns.set(
      k,
      Array.from(order, (j) => v[j]!),
    );
  return {
    file: base.file,
    ids: cand.ids,
    idHashes: cand.idHashes,
    labels,
    scores,
    predictions: preds,
    columns,
    binary: base.binary,
  };
}

/**
 * Identity of the evaluation set, independent of row order and of the scores: sha256 over the
 * sorted 52-bit hashes of each (id, label) row.
 */
export function evaluationDigest(p: Predictions): string {
  const bits = new Uint32Array(2);
  const f = new Float64Array(bits.buffer);
  const h = new Float64Array(p.ids.length);
  for (let i = 0; i < h.length; i++) {
    f[0] = p.labels[i]!;
    const hi = Math.floor(p.idHashes[i]! / 67108864);
    const lo = p.idHashes[i]! % 67108864;
    h[i] = (Math.imul(hi ^ bits[1]!, 0x9e3779b1) >>> 6) * 67108864 + (Math.imul(lo ^ bits[0]!, 0x85ebca6b) >>> 6);
  }
  h.sort();
  return `sha256:${createHash('sha256').update(new Uint8Array(h.buffer)).digest('hex')}`;
}

/** Numeric columns of any CSV/JSONL table (drift reference data); a column with non-numbers is null. */
export function readNumericColumns(path: string, label = path): Map<string, Float64Array | null> {
  const text = readInputTextSync(path, `${label} (drift.reference)`, 'table');
  const cols = new Map<string, string[]>();
  const push = (k: string, v: string) => {
    if (!cols.has(k)) cols.set(k, []);
    cols.get(k)!.push(v);
  };
  if (isJsonl(text)) scanJsonl(text, label, (o) => Object.entries(o).forEach(([k, v]) => push(k, String(v))));
  else {
    const { header, bodyStart } = csvHeader(text, label);
    header.forEach((h) => cols.set(h, []));
    scanCsvRows(text, label, bodyStart, header.length, ({ src, starts, ends }) =>
      header.forEach((h, k) => push(h, src.slice(starts[k]!, ends[k]!))),
    );
  }
  const out = new Map<string, Float64Array | null>();
  for (const [k, v] of cols) {
    const f = Float64Array.from(v, Number);
    out.set(k, f.every(Number.isFinite) && f.length > 0 ? f : null);
  }
  return out;
}
