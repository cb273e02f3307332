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
  for (let i = 0; i < n; i++) {
    const v = scores[i]!;
    let lo = 0;
    let hi = d - 1;
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
