import { z } from 'zod';
import { UsageError } from '../errors.js';
import { parseJsonDoc, readInputFile, type LocatedDoc } from './located-doc.js';
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

function checkValues(doc: LocatedDoc, obj: unknown, path: string[], slice: string | null, out: MetricRow[]): void {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    const line = doc.lineOf(path);
    throw new UsageError(
      `${doc.label}: ${path.join('.') || 'the file'} must be an object of metric names to numbers${line ? ` (line ${line})` : ''}`,
    );
  }
  for (const [name, v] of Object.entries(obj)) {
    const line = doc.lineOf([...path, name]);
    const at = line ? ` (line ${line})` : '';
    if (!METRIC_NAME.test(name))
      throw new UsageError(
        `${doc.label}: invalid metric name ${JSON.stringify(name)}${at}; use letters, digits, _ . : / -`,
      );
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new UsageError(
        `${doc.label}: ${JSON.stringify(name)} must be a finite number, got ${JSON.stringify(v)}${at}`,
      );
    }
    out.push({ name, value: v, slice });
  }
}

const Structured = z.object({
  dataset: z.object({ name: z.string().optional(), sha256: z.string().optional() }).loose().optional(),
  metrics: z.record(z.string(), z.unknown()),
  slices: z.record(z.string(), z.unknown()).optional(),
});

/** Accepts `{"auc": 0.91}` or `{"dataset": {...}, "metrics": {...}, "slices": {"country=US": {...}}}`. */
export function parseMetrics(text: string, label: string): MetricsInput {
  const doc = parseJsonDoc(text, label);
  const v = doc.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new UsageError(`${label}: expected a JSON object such as {"auc": 0.91}`);
  }
  const rows: MetricRow[] = [];
  const isStructured = 'metrics' in v && typeof (v as Record<string, unknown>).metrics === 'object';
  if (!isStructured) {
    checkValues(doc, v, [], null, rows);
    return { dataset: null, rows };
  }
  const parsed = Structured.safeParse(v);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${label}: ${issue.path.join('.')}: ${issue.message}`);
  }
  checkValues(doc, parsed.data.metrics, ['metrics'], null, rows);
  for (const [slice, values] of Object.entries(parsed.data.slices ?? {})) {
    checkValues(doc, values, ['slices', slice], slice, rows);
  }
  let dataset: MetricsInput['dataset'] = null;
  if (parsed.data.dataset) {
    const d = parsed.data.dataset;
    dataset = { name: d.name };
    if (d.sha256 !== undefined) {
      const line = doc.lineOf(['dataset', 'sha256']);
      dataset.digest = normalizeDigest(d.sha256, `${label}: dataset.sha256${line ? ` (line ${line})` : ''}`);
    }
  }
  return { dataset, rows };
}

export function readMetricsFile(file: string, label = file): MetricsInput {
  return parseMetrics(readInputFile(file, label), label);
}
