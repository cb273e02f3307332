/**
 * ROC and precision–recall curves of a gate run's predictions, down-sampled so a stored gate run
 * stays small (≤ MAX_POINTS per curve) and a report can draw the evidence behind a verdict.
 */

export const MAX_POINTS = 500;

/** [x, y] pairs: ROC is [false-positive rate, true-positive rate]; PR is [recall, precision]. */
export type CurvePoints = Array<[number, number]>;

export interface ModelCurves {
  roc: CurvePoints;
  pr: CurvePoints;
}

export interface GateCurves {
  rows: number;
  positives: number;
  candidate: ModelCurves;
  /** Null when the run had no baseline predictions. */
  baseline: ModelCurves | null;
}

const round = (x: number) => Math.round(x * 1e5) / 1e5;

/** Keep the first and last point and evenly spaced ones between them (thresholds are in rank order). */
export function downsample<T>(points: T[], max = MAX_POINTS): T[] {
  if (points.length <= max) return points;
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(points[Math.round((i * (points.length - 1)) / (max - 1))]!);
  return out;
}

/** Thresholds drawn from at most this many scores: every distinct score of smaller sets. */
export const SAMPLE = 8192;

/**
 * Both curves at a set of score thresholds, each point exact for its threshold (true and false
 * positives among rows scoring at or above it). The thresholds are the distinct scores when there
 * are at most SAMPLE rows (the exact curve), else the distinct scores of an evenly strided sample
 * (quantiles): one binary search per row instead of sorting every row, so a 1M-row gate pays tens
 * of milliseconds for its curves. Null when labels are not binary or one class is missing.
 */
export function curvesOf(labels: Float64Array, scores: Float64Array): ModelCurves | null {
  const n = labels.length;
  let p = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] === 1) p++;
    else if (labels[i] !== 0) return null;
  }
  const neg = n - p;
  if (p === 0 || neg === 0) return null;
  const step = Math.max(1, Math.floor(n / SAMPLE));
  const sample = new Float64Array(Math.ceil(n / step));
  for (let k = 0; k < sample.length; k++) sample[k] = scores[k * step]!;
  sample.sort();
  // Distinct thresholds, highest first.
  const th: number[] = [];
  for (let k = sample.length - 1; k >= 0; k--)
    if (th.length === 0 || sample[k] !== th[th.length - 1]) th.push(sample[k]!);
  const posAt = new Float64Array(th.length + 1);
  const negAt = new Float64Array(th.length + 1);
  for (let i = 0; i < n; i++) {
    // The first threshold at or below this score (th is descending); th.length: below them all.
    const s = scores[i]!;
    let lo = 0;
    let hi = th.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (th[mid]! <= s) hi = mid;
      else lo = mid + 1;
    }
    if (labels[i] === 1) posAt[lo]!++;
    else negAt[lo]!++;
  }
  const roc: CurvePoints = [[0, 0]];
  const pr: CurvePoints = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k <= th.length; k++) {
    tp += posAt[k]!;
    fp += negAt[k]!;
    if (k === th.length && posAt[k] === 0 && negAt[k] === 0) break;
    if (tp + fp === 0) continue;
    roc.push([round(fp / neg), round(tp / p)]);
    if (pr.length === 0) pr.push([0, round(tp / (tp + fp))]);
    pr.push([round(tp / p), round(tp / (tp + fp))]);
  }
  return { roc: downsample(roc), pr: downsample(pr) };
}

/** Curves for a run recorded from predictions; null when they cannot be drawn (not binary). */
export function gateCurves(
  cand: { labels: Float64Array; scores: Float64Array },
  base: { labels: Float64Array; scores: Float64Array } | null,
): GateCurves | null {
  const c = curvesOf(cand.labels, cand.scores);
  if (!c) return null;
  let positives = 0;
  for (let k = 0; k < cand.labels.length; k++) positives += cand.labels[k] === 1 ? 1 : 0;
  return {
    rows: cand.labels.length,
    positives,
    candidate: c,
    baseline: base ? curvesOf(base.labels, base.scores) : null,
  };
}
