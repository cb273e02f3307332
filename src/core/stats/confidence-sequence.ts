import { UsageError } from '../errors.js';

/**
 * Live candidate-vs-champion judgment with a normal-mixture confidence sequence (Robbins 1970;
 * Johari, Pekelis & Walsh 2017; Howard, Ramdas, McAuliffe & Sekhon 2021). Unlike a fixed-horizon
 * z-test, its (1 − α) coverage holds simultaneously at every look, so `rollout tick` may look every
 * few minutes for days without inflating false aborts.
 */

/** lower: fewer events is better (errors, slow requests); higher: more is better (conversions). */
export type Better = 'lower' | 'higher';

export interface SideCounts {
  /** Cumulative events for the stage (errors, conversions…). */
  events: number;
  /** Cumulative trials for the stage (requests, sessions…). */
  trials: number;
}

export interface SequenceParams {
  better: Better;
  /** How much worse the candidate may be (absolute proportion), ≥ 0. */
  margin: number;
  /** Error rate of the whole sequence, in (0, 0.5]. */
  alpha: number;
  /** Mixture scale τ > 0: the sequence is tightest when its radius is about τ. */
  tau: number;
  /** Per side; a look with fewer trials on either side does not count. */
  minTrials: number;
}

/** The running intersection of the intervals of the counted looks of one stage. */
export interface RunningState {
  lower: number;
  upper: number;
  /** Counted looks so far. */
  looks: number;
}

export type Verdict = 'pass' | 'fail' | 'inconclusive';

export interface LookResult {
  verdict: Verdict;
  /** Whether this look had min_trials on both sides and so entered the running intersection. */
  counted: boolean;
  /** d̂ (positive = candidate worse), or null when a side has no trials. */
  estimate: number | null;
  /** This look's half-width and interval; null when the look did not count. */
  radius: number | null;
  interval: { lower: number; upper: number } | null;
  /** Running intersection after this look; null until a look has counted. */
  state: RunningState | null;
  /** One line saying why, for the check's detail. */
  reason: string;
}

/** Counts that cannot come from a counter (negative, fractional, events > trials…): the source is broken. */
export class InvalidCountsError extends UsageError {
  constructor(
    message: string,
    readonly check: string,
  ) {
    super(message);
    this.name = 'InvalidCountsError';
  }
}

/**
 * Half-width of the normal-mixture confidence sequence for an estimate with variance V:
 *   sqrt( 2·V·(V+τ²)/τ² · ( ln(1/α) + ½·ln((V+τ²)/V) ) ).
 * It is the boundary where the mixture likelihood ratio ∫ N(d̂; θ, V)/N(d̂; 0, V) dN(θ; 0, τ²) reaches
 * 1/α; by Ville's inequality that crossing happens with probability ≤ α at any time.
 */
export function mixtureRadius(v: number, tau: number, alpha: number): number {
  const t2 = tau * tau;
  return Math.sqrt(((2 * v * (v + t2)) / t2) * (Math.log(1 / alpha) + 0.5 * Math.log((v + t2) / v)));
}

/**
 * Variance of p̂ for one side. As the issue states, p̂(1−p̂)/n — except at p̂ = 0 or 1, where that is 0
 * and the radius collapses to 0 (V·ln(1/V) → 0): zero errors on both sides after min_trials would
 * "prove" the candidate no worse with no uncertainty at all, while 0 errors in 1,000 requests is
 * compatible with a true rate near 0.3%. There the variance uses half an event instead of none
 * (p̂ clamped to [½/n, 1 − ½/n], the Haldane–Anscombe correction for empty cells). For any p̂ strictly
 * between 0 and 1 the clamp does nothing (p̂ ≥ 1/n > ½/n), so the formula is exactly the issue's.
 */
export function sideVariance(events: number, trials: number): number {
  const half = 0.5 / trials;
  const p = Math.min(Math.max(events / trials, half), 1 - half);
  return (p * (1 - p)) / trials;
}

function checkCounts(c: SideCounts, side: 'candidate' | 'champion', check: string): void {
  for (const key of ['events', 'trials'] as const) {
    const x = c[key];
    const what = `check ${check}: ${side} ${key}`;
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new InvalidCountsError(
        `${what} is ${String(x)}, not a finite number; the source must report counts`,
        check,
      );
    if (x < 0)
      throw new InvalidCountsError(`${what} is negative (${x}); the source must report cumulative counts`, check);
    if (!Number.isInteger(x))
      throw new InvalidCountsError(
        `${what} is not a whole number (${x}); round the source's values (Prometheus increase() extrapolates)`,
        check,
      );
  }
  if (c.events > c.trials)
    throw new InvalidCountsError(
      `check ${check}: ${side} events (${c.events}) exceed trials (${c.trials}); events must be a subset of trials`,
      check,
    );
}

function checkParams(p: SequenceParams, check: string): void {
  const bad = (what: string) => {
    throw new UsageError(`check ${check}: ${what}`);
  };
  if (p.better !== 'lower' && p.better !== 'higher') bad(`better must be lower or higher, got ${String(p.better)}`);
  if (!(Number.isFinite(p.margin) && p.margin >= 0)) bad(`margin must be a number ≥ 0, got ${p.margin}`);
  if (!(p.alpha > 0 && p.alpha <= 0.5)) bad(`alpha must be in (0, 0.5], got ${p.alpha}`);
  if (!(Number.isFinite(p.tau) && p.tau > 0)) bad(`tau must be a number > 0, got ${p.tau}`);
  if (!(Number.isInteger(p.minTrials) && p.minTrials >= 1)) bad(`min_trials must be a whole number ≥ 1`);
}

const fmt = (x: number) => (Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(3) : x.toFixed(5));

/**
 * One look: the counts so far in this stage (cumulative) and the running state of the previous
 * counted looks (null for the first). Returns the look's interval, the new running intersection and
 * the verdict: fail when the running lower bound exceeds the margin, pass when the running upper bound
 * is below it, else inconclusive. Fail is tested first: when the intersection is empty (which happens
 * with probability ≤ α, or when the rates drift during the stage) safety wins over progress.
 * `check` names the check in error messages.
 */
export function look(
  candidate: SideCounts,
  champion: SideCounts,
  params: SequenceParams,
  prev: RunningState | null,
  check = 'compare',
): LookResult {
  checkCounts(candidate, 'candidate', check);
  checkCounts(champion, 'champion', check);
  checkParams(params, check);
  const estimate =
    candidate.trials > 0 && champion.trials > 0
      ? (params.better === 'lower' ? 1 : -1) * (candidate.events / candidate.trials - champion.events / champion.trials)
      : null;
  if (candidate.trials < params.minTrials || champion.trials < params.minTrials) {
    return {
      verdict: 'inconclusive',
      counted: false,
      estimate,
      radius: null,
      interval: null,
      state: prev,
      reason: `not enough traffic yet: ${candidate.trials} candidate and ${champion.trials} champion trials, ${params.minTrials} needed on each side`,
    };
  }
  const v = sideVariance(candidate.events, candidate.trials) + sideVariance(champion.events, champion.trials);
  const d = estimate!;
  const radius = mixtureRadius(v, params.tau, params.alpha);
  const interval = { lower: d - radius, upper: d + radius };
  const state: RunningState = prev
    ? {
        lower: Math.max(prev.lower, interval.lower),
        upper: Math.min(prev.upper, interval.upper),
        looks: prev.looks + 1,
      }
    : { ...interval, looks: 1 };
  const range = `[${fmt(state.lower)}, ${fmt(state.upper)}]`;
  const conf = `${Math.round((1 - params.alpha) * 1000) / 10}%`;
  let verdict: Verdict;
  let reason: string;
  if (state.lower > params.margin) {
    verdict = 'fail';
    reason = `candidate worse than the champion by ${range} (${conf} always-valid), more than the margin ${params.margin}`;
  } else if (state.upper < params.margin) {
    verdict = 'pass';
    reason = `candidate worse by at most ${fmt(state.upper)} (difference ${range}, ${conf} always-valid), within the margin ${params.margin}`;
  } else {
    verdict = 'inconclusive';
    reason = `difference ${range} (${conf} always-valid) still contains the margin ${params.margin}`;
  }
  return { verdict, counted: true, estimate: d, radius, interval, state, reason };
}
