import { chiSquare1Upper, logBinomHalfCdf, logBinomPmf } from './special.js';

export type McnemarVariant = 'exact' | 'midp' | 'asymptotic' | 'corrected';

export interface McnemarResult {
  b: number;
  c: number;
  variant: McnemarVariant;
  statistic: number | null;
  pValue: number;
}

/**
 * McNemar's test on the discordant pairs: b = only the candidate right, c = only the baseline right.
 * exact: two-sided binomial(b + c, ½); midp: exact minus half the probability of outcomes as
 * extreme as the one observed; asymptotic: χ² = (b − c)²/(b + c); corrected: Yates' continuity
 * correction (|b − c| − 1)²/(b + c). Tails in log space.
 */
export function mcnemar(b: number, c: number, variant: McnemarVariant): McnemarResult {
  const n = b + c;
  if (n === 0) return { b, c, variant, statistic: variant === 'exact' || variant === 'midp' ? null : 0, pValue: 1 };
  if (variant === 'asymptotic' || variant === 'corrected') {
    const d = Math.abs(b - c) - (variant === 'corrected' ? 1 : 0);
    const stat = variant === 'corrected' && d < 0 ? 0 : (d * d) / n;
    return { b, c, variant, statistic: stat, pValue: Math.min(1, chiSquare1Upper(stat)) };
  }
  const k = Math.min(b, c);
  const lh = Math.log(0.5);
  const cdf = Math.exp(logBinomHalfCdf(k, n));
  const pmf = Math.exp(logBinomPmf(k, n, lh, lh));
  if (variant === 'exact') return { b, c, variant, statistic: null, pValue: Math.min(1, 2 * cdf) };
  // Outcomes as extreme as observed: k and n − k (one point when b = c).
  const p = b === c ? 1 - 0.5 * pmf : 2 * cdf - pmf;
  return { b, c, variant, statistic: null, pValue: Math.min(1, p) };
}
