import { midranks } from '../stats/delong.js';

export const CLASSIFICATION_METRICS = ['accuracy', 'precision', 'recall', 'f1', 'auc', 'log_loss', 'brier'] as const;
export const REGRESSION_METRICS = ['rmse', 'mae'] as const;
export const ALL_METRICS = [...CLASSIFICATION_METRICS, ...REGRESSION_METRICS] as const;
export type MetricName = (typeof ALL_METRICS)[number];
export const DEFAULT_DIRECTION: Record<MetricName, 'higher' | 'lower'> = {
  accuracy: 'higher',
  precision: 'higher',
  recall: 'higher',
  f1: 'higher',
  auc: 'higher',
  log_loss: 'lower',
  brier: 'lower',
  rmse: 'lower',
  mae: 'lower',
};

const EPS = 1e-15;

export interface Rows {
  labels: Float64Array;
  scores: Float64Array;
  predictions: Float64Array | null;
  binary: boolean;
}

/** Hard 0/1 predictions: the prediction column, else score ≥ threshold. */
export function hardPredictions(r: Rows, threshold = 0.5): Uint8Array {
  const out = new Uint8Array(r.labels.length);
  for (let i = 0; i < out.length; i++)
    out[i] = r.predictions ? (r.predictions[i]! >= 0.5 ? 1 : 0) : r.scores[i]! >= threshold ? 1 : 0;
  return out;
}

export function aucOf(labels: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  let m = 0;
  for (let i = 0; i < labels.length; i++) m += labels[i] === 1 ? 1 : 0;
  const k = labels.length - m;
  if (m < 2 || k < 2) return null;
  const ranks = midranks(scores);
  let s = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) s += ranks[i]!;
  return (s - (m * (m + 1)) / 2) / (m * k);
}

/** Every metric that applies to these rows (classification metrics only when labels are 0/1). */
export function computeMetrics(r: Rows): Partial<Record<MetricName, number>> {
  const n = r.labels.length;
  const out: Partial<Record<MetricName, number>> = {};
  let se = 0;
  let ae = 0;
  for (let i = 0; i < n; i++) {
    const d = r.scores[i]! - r.labels[i]!;
    se += d * d;
    ae += Math.abs(d);
  }
  if (!r.binary) {
    out.rmse = Math.sqrt(se / n);
    out.mae = ae / n;
    return out;
  }
  const pred = hardPredictions(r);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let ll = 0;
  for (let i = 0; i < n; i++) {
    const y = r.labels[i]!;
    const p = pred[i]!;
    if (y === 1) {
      if (p === 1) tp++;
      else fn++;
    } else if (p === 1) fp++;
    else tn++;
    const s = Math.min(1 - EPS, Math.max(EPS, r.scores[i]!));
    ll -= y === 1 ? Math.log(s) : Math.log(1 - s);
  }
  out.accuracy = (tp + tn) / n;
  out.precision = tp + fp ? tp / (tp + fp) : 0;
  out.recall = tp + fn ? tp / (tp + fn) : 0;
  out.f1 = 2 * tp + fp + fn ? (2 * tp) / (2 * tp + fp + fn) : 0;
  const auc = aucOf(r.labels, r.scores);
  if (auc !== null) out.auc = auc;
  // Log-loss and Brier score are defined on probabilities only (gates refuse other scores first).
  if (r.scores.every((s) => s >= 0 && s <= 1)) {
    out.log_loss = ll / n;
    out.brier = se / n;
  }
  return out;
}

export function subset(r: Rows, idx: Uint32Array): Rows {
  const pick = (a: Float64Array) => Float64Array.from(idx, (i) => a[i]!);
  return {
    labels: pick(r.labels),
    scores: pick(r.scores),
    predictions: r.predictions ? pick(r.predictions) : null,
    binary: r.binary,
  };
}
