import { UsageError } from '../errors.js';
import { parseJsonDoc, readInputFile, type LocatedDoc } from './located-doc.js';
import { readInputText } from './read-input.js';
import { normalizeDigest } from '../hashing/digest.js';

export interface MetricRow {
  name: string;
  value: number;
  slice: string | null;
}
export interface MetricsInput {
  dataset: { name?: string; digest?: string } | null;
  rows: MetricRow[];
}

const METRIC_NAME = /^[A-Za-z0-9_.:/-]{1,128}$/;
/** Names that mean something to every JavaScript object: as keys they would not be stored as data. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const WRAPPED_KEYS = ['dataset', 'metrics', 'slices'];

function checkValues(doc: LocatedDoc, obj: unknown, path: string[], slice: string | null, out: MetricRow[]): void {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    const line = doc.lineOf(path);
    throw new UsageError(
      `${doc.label}: ${path.join('.') || 'the file'} must be an object of metric names to numbers${line ? ` (line ${line})` : ''}`,
    );
  }
  const values = obj as Record<string, unknown>;
  for (const name of Object.keys(values)) {
    const v = values[name];
    if (RESERVED_NAMES.has(name))
      throw new UsageError(
        `${doc.label}: ${JSON.stringify(name)} is reserved and cannot name a metric${lineText(doc, [...path, name])}; rename it`,
      );
    if (!METRIC_NAME.test(name))
      throw new UsageError(
        `${doc.label}: invalid metric name ${JSON.stringify(name)}${lineText(doc, [...path, name])}; use letters, digits, _ . : / -`,
      );
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      const what = slice === null ? JSON.stringify(name) : `${JSON.stringify(name)} in slice ${JSON.stringify(slice)}`;
      const at = lineText(doc, [...path, name]);
      // JSON.parse reads 1e999 as Infinity, which JSON.stringify would print as null.
      if (typeof v === 'number') {
        const written = doc.sourceOf?.([...path, name]) ?? String(v);
        throw new UsageError(
          `${doc.label}: ${what} is not a finite number: ${written} is too large for a number${at}; write a finite value`,
        );
      }
      throw new UsageError(`${doc.label}: ${what} must be a finite number, got ${JSON.stringify(v)}${at}`);
    }
    out.push({ name, value: v, slice });
  }
}

/** " (line N)", looked up only for an error: a lookup per key made 200k keys take minutes. */
function lineText(doc: LocatedDoc, path: string[]): string {
  const line = doc.lineOf(path);
  return line ? ` (line ${line})` : '';
}

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/**
 * Accepts `{"auc": 0.91}` or `{"dataset": {...}, "metrics": {...}, "slices": {"country=US": {...}}}`.
 * Checked by hand in one pass over the keys (no schema library copying 200,000 entries).
 */
export function parseMetrics(text: string, label: string): MetricsInput {
  const doc = parseJsonDoc(text, label);
  const v = doc.value;
  if (!isObject(v)) throw new UsageError(`${label}: expected a JSON object such as {"auc": 0.91}`);
  const rows: MetricRow[] = [];
  if (!isObject(v.metrics)) {
    checkValues(doc, v, [], null, rows);
    return { dataset: null, rows };
  }
  const at = (path: string[]) => lineText(doc, path);
  for (const k of Object.keys(v))
    if (!WRAPPED_KEYS.includes(k))
      throw new UsageError(
        `${label}: unknown key ${JSON.stringify(k)}${at([k])}; the wrapped form has only "dataset", "metrics" and "slices"`,
      );
  checkValues(doc, v.metrics, ['metrics'], null, rows);
  if (v.slices !== undefined) {
    if (!isObject(v.slices))
      throw new UsageError(`${label}: slices must be an object of slice names to metrics${at(['slices'])}`);
    for (const slice of Object.keys(v.slices)) {
      if (RESERVED_NAMES.has(slice))
        throw new UsageError(
          `${label}: ${JSON.stringify(slice)} is reserved and cannot name a slice${at(['slices', slice])}; rename it`,
        );
      checkValues(doc, v.slices[slice], ['slices', slice], slice, rows);
    }
  }
  let dataset: MetricsInput['dataset'] = null;
  if (v.dataset !== undefined) {
    const d = v.dataset;
    if (!isObject(d))
      throw new UsageError(`${label}: dataset must be an object such as {"name": "holdout"}${at(['dataset'])}`);
    if (d.name !== undefined && typeof d.name !== 'string')
      throw new UsageError(`${label}: dataset.name must be a string${at(['dataset', 'name'])}`);
    dataset = { name: d.name };
    if (d.sha256 !== undefined) {
      if (typeof d.sha256 !== 'string')
        throw new UsageError(`${label}: dataset.sha256 must be a string${at(['dataset', 'sha256'])}`);
      dataset.digest = normalizeDigest(d.sha256, `${label}: dataset.sha256${at(['dataset', 'sha256'])}`);
    }
  }
  return { dataset, rows };
}

export function readMetricsFile(file: string, label = file): MetricsInput {
  return parseMetrics(readInputFile(file, label), label);
}

/** The same, read without blocking the event loop (a pipe waiting for its writer stays interruptible). */
export async function readMetricsFileAsync(file: string, label = file): Promise<MetricsInput> {
  return parseMetrics(await readInputText(file, label), label);
}
