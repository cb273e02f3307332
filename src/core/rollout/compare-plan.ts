import { UsageError } from '../errors.js';
import { fixedHorizonTrials, secondsToTrials } from '../stats/power.js';
import { readChampionCounts } from './compare-counts.js';
import { describeStage, formatDuration } from './stages.js';
import type { CompareCheckSpec } from './compare-check-config.js';
import type { RolloutContext } from './context.js';
import type { RolloutStage } from '../../ports/registry.js';

/** How far back the source is asked for the champion's rate and the request rate. */
export const BASELINE_WINDOW_SECONDS = 3600;

/** Planning figures of one compare check for `rollout plan` (fixed-horizon, power 0.8 at a true difference of 0). */
export interface ComparePlan {
  check: string;
  better: 'lower' | 'higher';
  margin: number;
  alpha: number;
  /** p0: the champion's current rate, from --baseline-rate or the source (null when neither gave one). */
  baselineRate: number | null;
  baselineFrom: 'flag' | 'source' | null;
  /** Trials per side R's power.prop.test(p1 = p0, p2 = p0 ± margin, power = 0.8, one.sided) needs, rounded up. */
  fixed_horizon_trials: number | null;
  /** All requests to the model per second over the last hour, from the source. */
  requestsPerSecond: number | null;
  /** Each stage that runs the check, and how long its traffic share takes to give both sides that many trials. */
  stages: Array<{
    index: number;
    stage: string;
    candidateShare: number;
    seconds: number | null;
    duration: string | null;
  }>;
  /** Why a figure is missing, when one is. */
  notes: string[];
}

/** The candidate's and the champion's share of the traffic in a stage (shadow: mirrored copies to the candidate). */
function shares(s: RolloutStage): { candidate: number; champion: number } | null {
  if (s.stage === 'shadow') return { candidate: (s.mirror ?? 0) / 100, champion: 1 };
  if (s.stage === 'full') return null;
  return { candidate: (s.weight ?? 0) / 100, champion: 1 - (s.weight ?? 0) / 100 };
}

/**
 * For each compare check of the plan: the fixed-horizon sample size per side and the time each stage
 * that runs it needs to collect it. The source is asked for the champion's counts over the last hour;
 * a source that cannot answer is a note (and a warning), not a failure: a plan is a dry run.
 * `current`: the stage a rollout in progress is at (the champion then has only its share of the traffic).
 */
export async function planCompareChecks(
  ctx: RolloutContext,
  model: string,
  versions: { candidate: number; champion: number | null },
  stages: RolloutStage[],
  current: number | null,
  baselineRate: number | undefined,
): Promise<ComparePlan[]> {
  if (baselineRate !== undefined && !(Number.isFinite(baselineRate) && baselineRate >= 0 && baselineRate <= 1))
    throw new UsageError(`--baseline-rate must be a proportion from 0 to 1 (e.g. 0.004), got ${String(baselineRate)}`);
  const names = [...new Set(stages.flatMap((s) => s.checks))].filter((n) => {
    const spec = ctx.rollout.checks[n];
    return spec !== undefined && 'compare' in spec;
  });
  const now = ctx.clock.now();
  const out: ComparePlan[] = [];
  for (const name of names) {
    const spec = (ctx.rollout.checks[name] as { compare: CompareCheckSpec }).compare;
    const notes: string[] = [];
    let p0: number | null = baselineRate ?? null;
    let rps: number | null = null;
    if (versions.champion === null) notes.push('no champion yet: nothing to measure a baseline on');
    else {
      const got = await readChampionCounts(ctx.checks, spec.source, {
        model,
        candidate: versions.candidate,
        champion: versions.champion,
        since: new Date(now.getTime() - BASELINE_WINDOW_SECONDS * 1000).toISOString(),
        windowSeconds: BASELINE_WINDOW_SECONDS,
      });
      if (got.kind !== 'counts' || got.champion.trials <= 0) {
        const why = got.kind === 'counts' ? 'the champion had no trials in the last hour' : got.detail;
        notes.push(`the source gave no baseline: ${why}`);
        ctx.warn(`${name}: the source gave no baseline for rollout plan: ${why}`);
      } else {
        p0 ??= got.champion.events / got.champion.trials;
        const cur = current === null ? null : shares(stages[current]!);
        rps = got.champion.trials / BASELINE_WINDOW_SECONDS / (cur ? cur.champion : 1);
      }
    }
    let trials: number | null = null;
    if (p0 === null) notes.push("pass --baseline-rate <p> (the champion's current rate) for the sample size");
    else {
      try {
        trials = fixedHorizonTrials({ p0, margin: spec.margin, alpha: spec.alpha, better: spec.better });
        if (trials === null) notes.push('margin 0: no finite sample shows non-inferiority');
      } catch (err) {
        if (!(err instanceof UsageError) || baselineRate !== undefined) throw err;
        notes.push(err.message);
      }
    }
    out.push({
      check: name,
      better: spec.better,
      margin: spec.margin,
      alpha: spec.alpha,
      baselineRate: p0,
      baselineFrom: baselineRate !== undefined ? 'flag' : p0 !== null ? 'source' : null,
      fixed_horizon_trials: trials,
      requestsPerSecond: rps,
      stages: stages.flatMap((s, i) => {
        const sh = shares(s);
        if (!s.checks.includes(name) || !sh) return [];
        const seconds =
          trials === null || rps === null
            ? null
            : secondsToTrials(trials, {
                requestsPerSecond: rps,
                candidateShare: sh.candidate,
                championShare: sh.champion,
              });
        return [
          {
            index: i + 1,
            stage: describeStage(s),
            candidateShare: sh.candidate,
            seconds,
            duration: seconds === null ? null : formatDuration(seconds * 1000),
          },
        ];
      }),
      notes,
    });
  }
  return out;
}
