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

/**
 * Both curves from one sweep over the distinct scores, high to low (ties move together, as a
 * threshold does). Positives and negatives are sorted apart as typed arrays: native numeric sort.
 * Null when labels are not binary or one class is missing.
 */
export function curvesOf(labels: Float64Array, scores: Float64Array): ModelCurves | null {
  let p = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) p++;
    else if (labels[i] !== 0) return null;
  }
  const n = labels.length - p;
  if (p === 0 || n === 0) return null;
  const pos = new Float64Array(p);
  const neg = new Float64Array(n);
  for (let i = 0, a = 0, b = 0; i < labels.length; i++) {
    if (labels[i] === 1) pos[a++] = scores[i]!;
    else neg[b++] = scores[i]!;
  }
  pos.sort();
  neg.sort();
  const roc: CurvePoints = [[0, 0]];
  const pr: CurvePoints = [];
  let i = p - 1;
  let j = n - 1;
  let tp = 0;
  let fp = 0;
  while (i >= 0 || j >= 0) {
    const t = Math.max(i >= 0 ? pos[i]! : -Infinity, j >= 0 ? neg[j]! : -Infinity);
    while (i >= 0 && pos[i] === t) {
      tp++;
      i--;
    }
    while (j >= 0 && neg[j] === t) {
      fp++;
      j--;
    }
    roc.push([round(fp / n), round(tp / p)]);
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
