import { normalQuantile } from './special.js';
import { Rng } from './rng.js';
import { look, sideVariance, type RunningState, type SequenceParams } from './confidence-sequence.js';

/**
 * Simulated staged rollouts, to measure what the live judgment does over many looks: how often it
 * aborts a candidate that is as good as the champion (A/A), and how fast it aborts a bad one. Counts
 * are exact Binomial draws (BTRS, Hörmann 1993) from a seeded generator, so a scenario and seed always
 * give the same figures.
 */

export interface RolloutScenario {
  rollouts: number;
  /** Looks per rollout (e.g. one per `rollout tick`). */
  looks: number;
  /** True event rates of each side. */
  candidateRate: number;
  championRate: number;
  /** New trials per look on each side (traffic between two ticks). */
  candidatePerLook: number;
  championPerLook: number;
  params: SequenceParams;
  seed: number;
}

export interface MethodOutcome {
  /** Rollouts aborted (verdict fail at some look). */
  aborted: number;
  abortRate: number;
  /**
   * Median candidate trials at the abort, counting rollouts never aborted as infinitely late; null when
   * half or more were never aborted.
   */
  medianTrialsToAbort: number | null;
  /** Rollouts that reached a pass (upper bound below the margin) at some look before any abort. */
  passed: number;
  /** Median candidate trials at the first pass, like medianTrialsToAbort. */
  medianTrialsToPass: number | null;
}

export interface SimulationResult {
  rollouts: number;
  looks: number;
  /** The normal-mixture confidence sequence, through `look()`. */
  sequence: MethodOutcome;
  /**
   * The naive alternative on the same counts: a fixed-horizon one-sided z-test at level alpha,
   * (d̂ − margin)/√V > z_{1−α} (fail) or < −z_{1−α} (pass), repeated at every look.
   */
  naive: MethodOutcome;
}

/** How many happened, and the median time to it with Infinity for the rollouts where it never did. */
function tally(at: Float64Array): { count: number; median: number | null } {
  const sorted = Float64Array.from(at).sort();
  let count = 0;
  for (const x of sorted) if (x !== Infinity) count++;
  const mid = sorted[Math.floor((sorted.length - 1) / 2)]!; // lower median for an even count
  return { count, median: mid === Infinity ? null : mid };
}

function outcome(abortedAt: Float64Array, passedAt: Float64Array): MethodOutcome {
  const a = tally(abortedAt);
  const p = tally(passedAt);
  return {
    aborted: a.count,
    abortRate: a.count / abortedAt.length,
    medianTrialsToAbort: a.median,
    passed: p.count,
    medianTrialsToPass: p.median,
  };
}

/**
 * Runs the scenario. A rollout stops at its first abort; a pass does not stop it (the worst case: a
 * stage that keeps waiting, e.g. for its minDuration, keeps being looked at).
 */
export function simulateRollouts(s: RolloutScenario): SimulationResult {
  const rng = new Rng(s.seed);
  const z = normalQuantile(1 - s.params.alpha);
  const sign = s.params.better === 'lower' ? 1 : -1;
  const at = () => new Float64Array(s.rollouts).fill(Infinity);
  const seqFail = at();
  const seqPass = at();
  const naiveFail = at();
  const naivePass = at();
  for (let r = 0; r < s.rollouts; r++) {
    const cand = { events: 0, trials: 0 };
    const champ = { events: 0, trials: 0 };
    let state: RunningState | null = null;
    for (let k = 0; k < s.looks && (seqFail[r] === Infinity || naiveFail[r] === Infinity); k++) {
      cand.events += rng.binomial(s.candidatePerLook, s.candidateRate);
      cand.trials += s.candidatePerLook;
      champ.events += rng.binomial(s.championPerLook, s.championRate);
      champ.trials += s.championPerLook;
      if (seqFail[r] === Infinity) {
        const res = look(cand, champ, s.params, state);
        state = res.state;
        if (res.verdict === 'fail') seqFail[r] = cand.trials;
        else if (res.verdict === 'pass' && seqPass[r] === Infinity) seqPass[r] = cand.trials;
      }
      if (naiveFail[r] === Infinity && cand.trials >= s.params.minTrials && champ.trials >= s.params.minTrials) {
        const d = sign * (cand.events / cand.trials - champ.events / champ.trials);
        const t =
          (d - s.params.margin) /
          Math.sqrt(sideVariance(cand.events, cand.trials) + sideVariance(champ.events, champ.trials));
        if (t > z) naiveFail[r] = cand.trials;
        else if (t < -z && naivePass[r] === Infinity) naivePass[r] = cand.trials;
      }
    }
  }
  return {
    rollouts: s.rollouts,
    looks: s.looks,
    sequence: outcome(seqFail, seqPass),
    naive: outcome(naiveFail, naivePass),
  };
}
