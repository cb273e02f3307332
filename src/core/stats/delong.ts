import { normalQuantile, normalTwoSided, normalUpper } from './special.js';
import { midranksOf, rankGroups } from './ranks.js';

/** Midranks (1-based, ties averaged) in O(N log N). */
export function midranks(x: ArrayLike<number>): Float64Array {
  return midranksOf(rankGroups(x), null);
}

export interface DelongResult {
  aucA: number;
  aucB: number;
  varA: number;
  varB: number;
  cov: number;
  /** A − B */
  diff: number;
  se: number;
  z: number;
  pValue: number;
  ci: [number, number];
  margin: number;
  alternative: 'two-sided' | 'non-inferiority';
}

/**
 * Paired DeLong test for two AUCs on the same cases, with the fast algorithm of Sun & Xu (2014):
 * structural components from midranks, O(N log N). With a margin: one-sided non-inferiority test
 * of H0: AUC_A − AUC_B ≤ −margin. Labels must be 0/1; at least two of each are required.
 */
export function delong(
  labels: ArrayLike<number>,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  opts: { alpha?: number; margin?: number } = {},
): DelongResult {
  const n = labels.length;
  if (a.length !== n || b.length !== n) throw new Error('delong: score vectors must match the labels');
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] === 1) m++;
    else if (labels[i] !== 0) throw new Error('delong: labels must be 0 or 1');
  }
  const k = n - m;
  if (m < 2 || k < 2) throw new Error(`delong: need at least 2 positives and 2 negatives (got ${m} and ${k})`);
  const pos = new Uint32Array(m);
  const neg = new Uint32Array(k);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    if (labels[i] === 1) pos[p++] = i;
    else neg[q++] = i;
  }

  const components = (s: ArrayLike<number>) => {
    for (let i = 0; i < n; i++) if (Number.isNaN(s[i]!)) throw new Error('delong: NaN score');
    // One sort gives the midranks among all rows (tz) and within each class (tx, ty).
    const g = rankGroups(s);
    const tz = midranksOf(g, null);
    const tx = midranksOf(g, (i) => labels[i] === 1);
    const ty = midranksOf(g, (i) => labels[i] !== 1);
    let sumPos = 0;
    const v10 = new Float64Array(m);
    const v01 = new Float64Array(k);
    for (let i = 0; i < m; i++) {
      const r = tz[pos[i]!]!;
      sumPos += r;
      v10[i] = (r - tx[i]!) / k;
    }
    for (let j = 0; j < k; j++) v01[j] = 1 - (tz[neg[j]!]! - ty[j]!) / m;
    const auc = (sumPos - (m * (m + 1)) / 2) / (m * k);
    return { auc, v10, v01 };
  };
  const A = components(a);
  const B = components(b);
  const cov = (x: Float64Array, y: Float64Array, mx: number, my: number) => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += (x[i]! - mx) * (y[i]! - my);
    return s / (x.length - 1);
  };
  // The mean of v10 and of v01 is the AUC itself.
  const s10 = [cov(A.v10, A.v10, A.auc, A.auc), cov(B.v10, B.v10, B.auc, B.auc), cov(A.v10, B.v10, A.auc, B.auc)];
  const s01 = [cov(A.v01, A.v01, A.auc, A.auc), cov(B.v01, B.v01, B.auc, B.auc), cov(A.v01, B.v01, A.auc, B.auc)];
  const varA = s10[0]! / m + s01[0]! / k;
  const varB = s10[1]! / m + s01[1]! / k;
  const covAB = s10[2]! / m + s01[2]! / k;
  const diff = A.auc - B.auc;
  const variance = Math.max(0, varA + varB - 2 * covAB);
  const se = Math.sqrt(variance);
  const alpha = opts.alpha ?? 0.05;
  const margin = opts.margin ?? 0;
  const zq = normalQuantile(1 - alpha / 2);
  const ci: [number, number] = [diff - zq * se, diff + zq * se];
  if (margin > 0) {
    const z = se === 0 ? (diff + margin > 0 ? Infinity : -Infinity) : (diff + margin) / se;
    return {
      aucA: A.auc,
      aucB: B.auc,
      varA,
      varB,
      cov: covAB,
      diff,
      se,
      z,
      pValue: normalUpper(z),
      ci,
      margin,
      alternative: 'non-inferiority',
    };
  }
  // Identical or perfectly correlated scores: no evidence of a difference.
  const z = se === 0 ? 0 : diff / se;
  return {
    aucA: A.auc,
    aucB: B.auc,
    varA,
    varB,
    cov: covAB,
    diff,
    se,
    z,
    pValue: se === 0 && diff !== 0 ? 0 : normalTwoSided(z),
    ci,
    margin,
    alternative: 'two-sided',
  };
}
