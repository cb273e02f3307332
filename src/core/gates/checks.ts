export type Verdict = 'pass' | 'fail' | 'warn' | 'skip' | 'inconclusive';

export interface GateCheckResult {
  id: string;
  metric: string | null;
  slice: string | null;
  kind: string;
  verdict: Verdict;
  severity: 'error' | 'warn';
  candidate: number | null;
  baseline: number | null;
  /** The exact inequality evaluated, e.g. "auc: 0.9031 − 0.9062 = −0.0031 ≥ −0.0050 ✓". */
  inequality: string;
  message?: string;
  test?: string;
  statistic?: number | null;
  p_value?: number;
  p_value_raw?: number;
  ci?: [number, number];
  /** Time the statistical test itself took (significance checks). */
  elapsed_ms?: number;
  /** Policy line that set this check's threshold (for annotations). */
  line?: number;
}

export function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return 'n/a';
  if (!Number.isFinite(x)) return String(x);
  const s = Math.abs(x) !== 0 && Math.abs(x) < 10 ** -digits ? x.toExponential(2) : x.toFixed(digits);
  return s.replace('-', '−');
}

export function fmtSigned(x: number, digits = 4): string {
  return x > 0 ? `+${fmt(x, digits)}` : fmt(x, digits);
}

export function fmtP(p: number): string {
  return p < 1e-4 ? p.toExponential(2).replace('-', '−') : p.toFixed(4);
}

/** Below this a p-value is not told apart from 0 (doubles underflow): said as a bound, never "0.00e+0". */
export const P_FLOOR = 1e-300;

/** "p = 0.0312", or "p < 1e-300" for a p-value too small to print as a number. */
export function pText(p: number): string {
  return p < P_FLOOR ? `p < ${P_FLOOR}` : `p = ${fmtP(p)}`;
}

/** Checks that judged the candidate: not skipped, not inconclusive, not the missing-baseline note. */
export function evaluatedChecks(checks: readonly GateCheckResult[]): number {
  return checks.filter(
    (c) => c.kind !== 'baseline' && (c.verdict === 'pass' || c.verdict === 'fail' || c.verdict === 'warn'),
  ).length;
}

/**
 * Overall verdict: any failing error-severity check fails; otherwise inconclusive ones make it
 * inconclusive; a run that evaluated no check at all never passes (issue 11.12).
 */
export function overallVerdict(checks: GateCheckResult[]): 'pass' | 'fail' | 'inconclusive' {
  if (checks.some((c) => c.verdict === 'fail')) return 'fail';
  if (checks.some((c) => c.verdict === 'inconclusive')) return 'inconclusive';
  return evaluatedChecks(checks) > 0 ? 'pass' : 'inconclusive';
}

/** The check that says why a run with nothing evaluated is inconclusive. */
export function nothingEvaluatedCheck(checks: readonly GateCheckResult[]): GateCheckResult {
  const skipped = checks.filter((c) => c.verdict === 'skip').length;
  return {
    id: 'evaluated',
    metric: null,
    slice: null,
    kind: 'coverage',
    verdict: 'inconclusive',
    severity: 'error',
    candidate: null,
    baseline: null,
    inequality: `evaluated checks: 0 (${skipped} skipped) ≥ 1 ✗`,
    message: `no check was evaluated (${skipped} skipped): a gate run passes only when at least one check judged the candidate; give the evidence the gates need (metrics, predictions or --eval)`,
  };
}

/** Holm step-down adjustment; returns adjusted p-values in input order. */
export function holm(ps: number[]): number[] {
  const order = ps.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const adj = new Array<number>(ps.length);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (ps.length - rank) * p));
    adj[i] = running;
  });
  return adj;
}
