import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';

/** One model's predictions on an evaluation set, column-oriented for speed. */
export interface Predictions {
  file: string;
  ids: string[];
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

function splitCsvLine(line: string, file: string, lineNo: number): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (q) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else q = false;
      } else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (q) throw new UsageError(`${file}:${lineNo}: unterminated quoted field`);
  out.push(cur);
  return out;
}

function num(text: string | undefined, file: string, lineNo: number, column: string): number {
  const v = text === undefined || text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(v)) {
    throw new UsageError(`${file}:${lineNo}: ${column} must be a finite number, got ${JSON.stringify(text ?? '')}`);
  }
  return v;
}

function build(file: string, header: string[], rows: Array<{ cells: string[]; line: number }>): Predictions {
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length) throw new UsageError(`${file}: missing column(s) ${missing.join(', ')}; a predictions file needs id, label and score (prediction and slice columns are optional)`);
  const col = (name: string) => header.indexOf(name);
  const [iId, iLabel, iScore, iPred] = [col('id'), col('label'), col('score'), col('prediction')];
  const n = rows.length;
  if (n === 0) throw new UsageError(`${file}: no rows`);
  const ids = new Array<string>(n);
  const labels = new Float64Array(n);
  const scores = new Float64Array(n);
  const preds = iPred >= 0 ? new Float64Array(n) : null;
  const extra = header.map((h, i) => ({ h, i })).filter(({ h }) => !['id', 'label', 'score', 'prediction'].includes(h));
  const columns = new Map<string, string[]>(extra.map(({ h }) => [h, new Array<string>(n)]));
  const seen = new Map<string, number>();
  let binary = true;
  for (let r = 0; r < n; r++) {
    const { cells, line } = rows[r]!;
    if (cells.length !== header.length) throw new UsageError(`${file}:${line}: expected ${header.length} fields, got ${cells.length}`);
    const id = cells[iId]!;
    const prev = seen.get(id);
    if (prev !== undefined) throw new UsageError(`${file}:${line}: duplicate id ${JSON.stringify(id)} (first on line ${prev})`);
    seen.set(id, line);
    ids[r] = id;
    const y = num(cells[iLabel], file, line, 'label');
    labels[r] = y;
    if (y !== 0 && y !== 1) binary = false;
    scores[r] = num(cells[iScore], file, line, 'score');
    if (preds) preds[r] = num(cells[iPred], file, line, 'prediction');
    for (const { h, i } of extra) columns.get(h)![r] = cells[i]!;
  }
  return { file, ids, labels, scores, predictions: preds, columns, binary };
}

function parseCsv(text: string, file: string): Predictions {
  const lines = text.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '', file, 1).map((h) => h.trim());
  const rows: Array<{ cells: string[]; line: number }> = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l === '') continue;
    rows.push({ cells: splitCsvLine(l, file, i + 1), line: i + 1 });
  }
  return build(file, header, rows);
}

function parseJsonl(text: string, file: string): Predictions {
  const lines = text.split(/\r?\n/);
  const header: string[] = [];
  const objs: Array<{ o: Record<string, unknown>; line: number }> = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (!l) continue;
    let o: unknown;
    try {
      o = JSON.parse(l);
    } catch {
      throw new UsageError(`${file}:${i + 1}: not valid JSON`);
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) throw new UsageError(`${file}:${i + 1}: each line must be a JSON object`);
    for (const k of Object.keys(o)) if (!header.includes(k)) header.push(k);
    objs.push({ o: o as Record<string, unknown>, line: i + 1 });
  }
  const text_ = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));
  return build(file, header, objs.map(({ o, line }) => ({ cells: header.map((h) => text_(o[h])), line })));
}

export function parsePredictions(text: string, file: string): Predictions {
  const first = text.trimStart()[0];
  return first === '{' ? parseJsonl(text, file) : parseCsv(text, file);
}

export function readPredictions(path: string, label = path): Predictions {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`${label}: cannot read the predictions file; check the path`);
  }
  return parsePredictions(text, label);
}

/**
 * Put the baseline's rows in the candidate's order. Both must cover exactly the same ids with the
 * same labels, or the comparison would not be paired.
 */
export function alignPredictions(cand: Predictions, base: Predictions): Predictions {
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
    throw new UsageError(`predictions do not cover the same ids: ${parts.join('; ')}; evaluate both models on the same rows`);
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
      throw new UsageError(`id ${JSON.stringify(cand.ids[i])} has label ${cand.labels[i]} in ${cand.file} but ${labels[i]} in ${base.file}; both must use the same ground truth`);
    }
    scores[i] = base.scores[j]!;
    if (preds) preds[i] = base.predictions![j]!;
  }
  const columns = new Map<string, string[]>();
  for (const [k, v] of base.columns) columns.set(k, Array.from(order, (j) => v[j]!));
  return { file: base.file, ids: cand.ids, labels, scores, predictions: preds, columns, binary: base.binary };
}

/** Identity of the evaluation set: sha256 over (id, label) pairs in id order, independent of the scores. */
export function evaluationDigest(p: Predictions): string {
  const order = p.ids.map((_, i) => i).sort((a, b) => (p.ids[a]! < p.ids[b]! ? -1 : p.ids[a]! > p.ids[b]! ? 1 : 0));
  const h = createHash('sha256');
  for (const i of order) h.update(`${p.ids[i]}\u0000${p.labels[i]}\n`);
  return `sha256:${h.digest('hex')}`;
}
