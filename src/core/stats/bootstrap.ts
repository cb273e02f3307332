import { Rng } from './rng.js';

export interface BootstrapOptions {
  resamples: number;
  seed: number;
  /** Two-sided confidence level of the reported interval, e.g. 0.95. */
  confidence: number;
  /** Non-inferiority margin on the improvement scale (≥ 0); 0 means a two-sided test of no difference. */
  margin: number;
}

export interface BootstrapResult {
  /** candidate − baseline on the full data */
  diff: number;
  ci: [number, number];
  pValue: number;
  resamples: number;
  seed: number;
  method: 'multinomial-cells' | 'rows' | 'stratified-rows';
}

/**
 * Percentile interval of candidate − baseline, and a p-value on the improvement scale
 * (sign = +1 when higher is better, −1 when lower is better): with a margin, the share of
 * resamples whose improvement is ≤ −margin (non-inferiority); without, twice the smaller tail.
 */
function summarize(
  diffs: Float64Array,
  diff: number,
  sign: number,
  o: BootstrapOptions,
  method: BootstrapResult['method'],
): BootstrapResult {
  const sorted = Float64Array.from(diffs).sort();
  const lo = quantile(sorted, (1 - o.confidence) / 2);
  const hi = quantile(sorted, 1 - (1 - o.confidence) / 2);
  let below = 0;
  let above = 0;
  for (const d of diffs) {
    const imp = sign * d;
    if (o.margin > 0) {
      if (imp <= -o.margin) below++;
    } else {
      if (imp <= 0) below++;
      if (imp >= 0) above++;
    }
  }
  // +1 smoothing: a p-value from B resamples is never exactly 0.
  const n = diffs.length;
  const pValue = o.margin > 0 ? (below + 1) / (n + 1) : Math.min(1, (2 * (Math.min(below, above) + 1)) / (n + 1));
  return { diff, ci: [lo, hi], pValue, resamples: n, seed: o.seed, method };
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < sorted.length ? sorted[i]! * (1 - f) + sorted[i + 1]! * f : sorted[i]!;
}

/**
 * Metrics that are functions of a confusion table: resampling rows with replacement is exactly a
 * multinomial draw over the table's cells, so each resample costs O(cells) instead of O(rows).
 * `cells[i]` counts rows of cell i; `metric(counts)` returns candidate − baseline for a table.
 */
export function bootstrapCells(
  cells: Float64Array,
  metric: (counts: Float64Array) => number,
  sign: number,
  o: BootstrapOptions,
): BootstrapResult {
  const rng = new Rng(o.seed);
  let n = 0;
  for (const c of cells) n += c;
  const diffs = new Float64Array(o.resamples);
  const buf = new Float64Array(cells.length);
  for (let r = 0; r < o.resamples; r++) diffs[r] = metric(rng.multinomial(n, cells, buf));
  return summarize(diffs, metric(cells), sign, o, 'multinomial-cells');
}

/** Mean-type metrics from per-row values: resample rows, O(rows) per resample. `finish` maps means to the metric (e.g. sqrt for RMSE). */
export function bootstrapRows(
  cand: Float64Array,
  base: Float64Array,
  finish: (mean: number) => number,
  sign: number,
  o: BootstrapOptions,
): BootstrapResult {
  const n = cand.length;
  const rng = new Rng(o.seed);
  const diffs = new Float64Array(o.resamples);
  for (let r = 0; r < o.resamples; r++) {
    let sc = 0;
    let sb = 0;
    for (let i = 0; i < n; i++) {
      const j = ((rng.nextUint32() * n) / 4294967296) | 0;
      sc += cand[j]!;
      sb += base[j]!;
    }
    diffs[r] = finish(sc / n) - finish(sb / n);
  }
  let sc = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    sc += cand[i]!;
    sb += base[i]!;
  }
  return summarize(diffs, finish(sc / n) - finish(sb / n), sign, o, 'rows');
}

/** AUC with a weight per row: Σ_pos w_i · (negative weight below s_i + ½ tied) / (Σw_pos · Σw_neg). `order` sorts by score. */
function weightedAuc(scores: Float64Array, labels: Uint8Array, w: Float64Array, order: Uint32Array): number {
  let negBelow = 0;
  let num = 0;
  let wp = 0;
  let wn = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    let tiePos = 0;
    let tieNeg = 0;
    while (j < order.length && scores[order[j]!] === scores[order[i]!]) {
      const k = order[j]!;
      if (labels[k] === 1) tiePos += w[k]!;
      else tieNeg += w[k]!;
      j++;
    }
    num += tiePos * (negBelow + tieNeg / 2);
    negBelow += tieNeg;
    wp += tiePos;
    wn += tieNeg;
    i = j;
  }
  return num / (wp * wn);
}

/** Paired AUC bootstrap, resampling within each class so every resample keeps both classes. */
export function bootstrapAuc(
  labels: Uint8Array,
  cand: Float64Array,
  base: Float64Array,
  o: BootstrapOptions,
): BootstrapResult {
  const n = labels.length;
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < n; i++) (labels[i] === 1 ? pos : neg).push(i);
  const sortBy = (s: Float64Array) => {
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    return idx.sort((a, b) => s[a]! - s[b]!);
  };
  const oc = sortBy(cand);
  const ob = sortBy(base);
  const ones = new Float64Array(n).fill(1);
  const full = weightedAuc(cand, labels, ones, oc) - weightedAuc(base, labels, ones, ob);
  const rng = new Rng(o.seed);
  const w = new Float64Array(n);
  const diffs = new Float64Array(o.resamples);
  for (let r = 0; r < o.resamples; r++) {
    w.fill(0);
    for (const group of [pos, neg]) for (let t = 0; t < group.length; t++) w[group[rng.int(group.length)]!]!++;
    diffs[r] = weightedAuc(cand, labels, w, oc) - weightedAuc(base, labels, w, ob);
  }
  return summarize(diffs, full, 1, o, 'stratified-rows');
}
