import { UsageError } from '../errors.js';
import { normalQuantile, normalUpper } from './special.js';
import type { Better } from './confidence-sequence.js';

/**
 * Fixed-horizon planning figures for a compare check: how many trials per side a classic one-shot test
 * would need, and how long the stage's traffic takes to supply them. They are for planning only; the
 * live decision is the confidence sequence, which may stop earlier or later.
 */

export interface PowerInput {
  p1: number;
  p2: number;
  /** Significance level, in (0, 1). */
  sigLevel: number;
  alternative: 'one.sided' | 'two.sided';
}

function checkRates(p1: number, p2: number, sigLevel: number): void {
  for (const [k, p] of [
    ['p1', p1],
    ['p2', p2],
  ] as const)
    if (!(p >= 0 && p <= 1)) throw new UsageError(`power: ${k} must be a proportion from 0 to 1, got ${p}`);
  if (!(sigLevel > 0 && sigLevel < 1)) throw new UsageError(`power: sig.level must be in (0, 1), got ${sigLevel}`);
}

/**
 * Power of the two-sample test of proportions with n per side: R's `power.prop.test` with
 * strict = FALSE, term for term:
 *   Φ( (√n·|p1−p2| − z_{1−α/tside}·√((p1+p2)(1−(p1+p2)/2))) / √(p1(1−p1) + p2(1−p2)) ).
 */
export function propTestPower(n: number, { p1, p2, sigLevel, alternative }: PowerInput): number {
  checkRates(p1, p2, sigLevel);
  const tside = alternative === 'one.sided' ? 1 : 2;
  const qu = -normalQuantile(sigLevel / tside); // qnorm(sig.level/tside, lower.tail = FALSE)
  const z =
    (Math.sqrt(n) * Math.abs(p1 - p2) - qu * Math.sqrt((p1 + p2) * (1 - (p1 + p2) / 2))) /
    Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return normalUpper(-z);
}

/**
 * n per side at which `propTestPower` equals `power`. R finds it with uniroot (tol ≈ 1.2e-4); the power
 * is increasing in √n and linear in it inside Φ, so the root has a closed form, which this returns:
 *   √n = ( z_{1−α/tside}·√((p1+p2)(1−(p1+p2)/2)) + z_power·√(p1(1−p1) + p2(1−p2)) ) / |p1 − p2|.
 * It agrees with R's printed n to uniroot's tolerance; the ceiling can differ from R's only when n lies
 * within ~1e-4 of a whole number. Infinity when p1 = p2 (no sample size detects no difference).
 */
export function propTestSampleSize(power: number, input: PowerInput): number {
  const { p1, p2, sigLevel, alternative } = input;
  checkRates(p1, p2, sigLevel);
  if (!(power > 0 && power < 1)) throw new UsageError(`power: power must be in (0, 1), got ${power}`);
  const d = Math.abs(p1 - p2);
  if (d === 0) return Infinity;
  const tside = alternative === 'one.sided' ? 1 : 2;
  const qu = -normalQuantile(sigLevel / tside);
  const zb = normalQuantile(power);
  const root = (qu * Math.sqrt((p1 + p2) * (1 - (p1 + p2) / 2)) + zb * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) / d;
  return root * root;
}

export interface FixedHorizonInput {
  /** The champion's current rate. */
  p0: number;
  margin: number;
  alpha: number;
  /** lower: the harmful direction is p0 + margin (R's p2 = p0 + margin); higher: p0 − margin. */
  better: Better;
  /** Default 0.8. */
  power?: number;
}

/**
 * Trials per side for a fixed-horizon one-sided test at level alpha to have the given power (0.8)
 * against a candidate worse by the margin: ceiling of R's
 * `power.prop.test(p1 = p0, p2 = p0 + margin, sig.level = alpha, power = 0.8, alternative = "one.sided")`.
 * For better: higher the harmful side is p0 − margin (the same as R's call on the mirrored rates
 * 1 − p0 and 1 − p0 + margin). Null when margin is 0: no finite sample can show non-inferiority then.
 */
export function fixedHorizonTrials({ p0, margin, alpha, better, power = 0.8 }: FixedHorizonInput): number | null {
  if (!(p0 >= 0 && p0 <= 1)) throw new UsageError(`baseline rate must be a proportion from 0 to 1, got ${p0}`);
  if (!(Number.isFinite(margin) && margin >= 0)) throw new UsageError(`margin must be a number ≥ 0, got ${margin}`);
  if (!(alpha > 0 && alpha <= 0.5)) throw new UsageError(`alpha must be in (0, 0.5], got ${alpha}`);
  if (margin === 0) return null;
  const p2 = better === 'lower' ? p0 + margin : p0 - margin;
  if (p2 < 0 || p2 > 1)
    throw new UsageError(
      `baseline rate ${p0} ${better === 'lower' ? '+' : '−'} margin ${margin} is outside [0, 1]; check the margin`,
    );
  return Math.ceil(propTestSampleSize(power, { p1: p0, p2, sigLevel: alpha, alternative: 'one.sided' }));
}

export interface TrafficInput {
  /** All requests to the model, per second (both versions). */
  requestsPerSecond: number;
  /** Candidate's share of the traffic, in (0, 1]. */
  candidateShare: number;
  /** Champion's (or baseline's) share; default 1 − candidateShare. */
  championShare?: number;
}

/**
 * Seconds until both sides have `trials`: the smaller share is the bottleneck (the candidate at a 5%
 * canary; either side with `against: baseline`, which gives both the same weight). Null when that side
 * gets no traffic at all.
 */
export function secondsToTrials(trials: number, t: TrafficInput): number | null {
  const champ = t.championShare ?? 1 - t.candidateShare;
  if (!(Number.isFinite(trials) && trials >= 0)) throw new UsageError(`trials must be a number ≥ 0, got ${trials}`);
  if (!(Number.isFinite(t.requestsPerSecond) && t.requestsPerSecond >= 0))
    throw new UsageError(`request rate must be a number ≥ 0 per second, got ${t.requestsPerSecond}`);
  for (const [k, s] of [
    ['candidate', t.candidateShare],
    ['champion', champ],
  ] as const)
    if (!(s >= 0 && s <= 1)) throw new UsageError(`${k} traffic share must be from 0 to 1, got ${s}`);
  const perSecond = t.requestsPerSecond * Math.min(t.candidateShare, champ);
  return perSecond > 0 ? trials / perSecond : null;
}
