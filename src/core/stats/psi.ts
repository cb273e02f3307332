/**
 * Population Stability Index between a reference and a current distribution over the same bins:
 * Σ (cur − ref) · ln(cur / ref). Empty bins get `epsilon` so the sum stays finite.
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>, epsilon = 1e-4): number {
  if (reference.length !== current.length || reference.length === 0)
    throw new Error('psi: both distributions need the same, non-zero number of bins');
  const norm = (xs: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[i]!;
    return Array.from({ length: xs.length }, (_, i) => Math.max(xs[i]! / s, epsilon));
  };
  const r = norm(reference);
  const c = norm(current);
  let sum = 0;
  for (let i = 0; i < r.length; i++) sum += (c[i]! - r[i]!) * Math.log(c[i]! / r[i]!);
  return sum;
}

/** Bin edges pinned on the reference: its quantiles (deduplicated), so the current data is binned the same way. */
export function quantileEdges(values: Float64Array, bins: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const e = sorted[Math.min(sorted.length - 1, Math.floor((i * sorted.length) / bins))]!;
    if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
  }
  return edges;
}

/** Counts per bin: bin i holds values in [edges[i−1], edges[i]). */
export function histogram(values: ArrayLike<number>, edges: number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v < edges[mid]!) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]!++;
  }
  return counts;
}
