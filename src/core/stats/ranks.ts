/**
 * Tie groups of a score vector from one native numeric sort: every row gets the index of its
 * distinct value. Midranks overall and within any class follow from group counts in O(n), so
 * AUC and DeLong need a single sort per score vector (and share it: results are cached).
 */
export interface RankGroups {
  /** Group (distinct value, ascending) of each row. */
  group: Uint32Array;
  groups: number;
}

const cache = new WeakMap<ArrayLike<number>, RankGroups>();

export function rankGroups(scores: ArrayLike<number>): RankGroups {
  const hit = cache.get(scores);
  if (hit) return hit;
  const n = scores.length;
  const sorted = Float64Array.from(scores as ArrayLike<number>).sort();
  // Distinct values, in place.
  let d = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[d - 1]) sorted[d++] = sorted[i]!;
  const group = new Uint32Array(n);
  // Each row's group by binary search over the distinct values, narrowed first by a bucket table
  // over [min, max]: a plain search over millions of values is ~20 dependent cache misses per
  // row, which made 10M rows ~20× slower than 1M instead of ~12× (n log n).
  const buckets = Math.max(1, Math.min(d, 1 << 22));
  const lo0 = sorted[0] ?? 0;
  const span = (sorted[d - 1] ?? 0) - lo0;
  const scale = span > 0 && Number.isFinite(span) ? buckets / span : 0;
  const bucketOf = (v: number) => (scale ? Math.min(buckets - 1, Math.floor((v - lo0) * scale)) : 0);
  // start[b]: first distinct value in bucket b or later (bucketOf is monotone, so buckets are runs).
  const start = new Uint32Array(buckets + 1).fill(d);
  for (let k = d - 1; k >= 0; k--) start[bucketOf(sorted[k]!)] = k;
  for (let b = buckets - 1; b >= 0; b--) if (start[b] === d) start[b] = start[b + 1]!;
  for (let i = 0; i < n; i++) {
    const v = scores[i]!;
    const b = bucketOf(v);
    let lo = start[b]!;
    let hi = start[b + 1]! - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    group[i] = lo;
  }
  const r = { group, groups: d };
  if (typeof scores === 'object') cache.set(scores, r);
  return r;
}

/**
 * 1-based midranks of the rows selected by `member` (all rows when null), ranked among themselves,
 * as a Float64Array over the selected rows in row order.
 */
export function midranksOf(g: RankGroups, member: ((i: number) => boolean) | null): Float64Array {
  const counts = new Float64Array(g.groups);
  const n = g.group.length;
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (member && !member(i)) continue;
    counts[g.group[i]!]!++;
    m++;
  }
  // counts → midrank per group
  let below = 0;
  for (let k = 0; k < g.groups; k++) {
    const c = counts[k]!;
    counts[k] = below + (c + 1) / 2;
    below += c;
  }
  const out = new Float64Array(m);
  for (let i = 0, j = 0; i < n; i++) {
    if (member && !member(i)) continue;
    out[j++] = counts[g.group[i]!]!;
  }
  return out;
}
