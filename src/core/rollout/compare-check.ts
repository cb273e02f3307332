import { InvalidCountsError, look } from '../stats/confidence-sequence.js';
import { readCounts, type CountsReading } from './compare-counts.js';
import { runningState } from './looks.js';
import type { CompareCheckSpec } from './compare-check-config.js';
import type { HealthCheckContext, HealthCheckResult } from './health-checks.js';
import type { LookCounts, Registry, RolloutRecord } from '../../ports/registry.js';

/**
 * A compare check in a stage: read the live counts of both sides (outside the registry's lock,
 * they may take seconds), then — inside the write that records the stage's checks — judge them
 * against the stage's stored looks and store this look. Reading the earlier looks under the lock
 * keeps two concurrent ticks from both extending the same intersection.
 */

/** A compare check's result: the common shape plus its evidence (rollout status/tick --json). */
export interface CompareCheckResult extends HealthCheckResult {
  kind: 'compare';
  /** d̂ of this look, positive when the candidate is worse; null without traffic on a side. */
  estimate: number | null;
  /** The running intersection over the stage's counted looks (null until one counted). */
  lower: number | null;
  upper: number | null;
  margin: number;
  /** Counted looks in this stage so far. */
  looks: number;
  candidate: LookCounts | null;
  champion: LookCounts | null;
}

export interface PendingCompare {
  name: string;
  spec: CompareCheckSpec;
  reading: CountsReading;
}

/** Read the counts of each named compare check for the rollout's current stage. */
export async function readCompareChecks(
  ctx: HealthCheckContext,
  checks: Array<{ name: string; spec: CompareCheckSpec }>,
  r: RolloutRecord,
  versions: { candidate: number; champion: number | null },
  now: Date,
): Promise<PendingCompare[]> {
  const windowSeconds = Math.max(1, Math.floor((now.getTime() - Date.parse(r.stepStartedAt)) / 1000));
  return Promise.all(
    checks.map(async ({ name, spec }) => ({
      name,
      spec,
      reading:
        versions.champion === null
          ? ({ kind: 'error', detail: 'the rollout has no champion to compare with' } as const)
          : await readCounts(ctx, spec.source, {
              model: r.model,
              candidate: versions.candidate,
              champion: versions.champion,
              since: r.stepStartedAt,
              windowSeconds,
            }),
    })),
  );
}

/**
 * Inside registry.write(): judge one reading against the stage's earlier looks and store it (looks
 * below min_trials are stored too, as not counted). No data and unreadable counts are not looks:
 * they are reported (inconclusive, error) and stored only in the rollout.check event.
 */
export async function judgeCompare(
  registry: Registry,
  r: RolloutRecord,
  p: PendingCompare,
  meta: { at: string; actor: string },
): Promise<CompareCheckResult> {
  const { spec, reading } = p;
  const earlier = await registry.compareLooks({ rolloutId: r.id, step: r.step, check: p.name });
  const prev = runningState(earlier, spec);
  const base = {
    name: p.name,
    kind: 'compare' as const,
    min: null,
    max: null,
    margin: spec.margin,
    lower: prev?.lower ?? null,
    upper: prev?.upper ?? null,
    looks: prev?.looks ?? 0,
  };
  if (reading.kind !== 'counts')
    return {
      ...base,
      status: reading.kind === 'nodata' ? 'inconclusive' : 'error',
      value: null,
      detail: reading.detail,
      estimate: null,
      candidate: null,
      champion: null,
    };
  let res: ReturnType<typeof look>;
  try {
    res = look(reading.candidate, reading.champion, spec, prev, p.name);
  } catch (err) {
    if (!(err instanceof InvalidCountsError)) throw err;
    return {
      ...base,
      status: 'error',
      value: null,
      detail: err.message.replace(`check ${p.name}: `, ''),
      estimate: null,
      candidate: reading.candidate,
      champion: reading.champion,
    };
  }
  await registry.insertCompareLook({
    rolloutId: r.id,
    step: r.step,
    check: p.name,
    at: meta.at,
    actor: meta.actor,
    candidate: reading.candidate,
    champion: reading.champion,
    estimate: res.estimate,
    radius: res.radius,
    lower: res.interval?.lower ?? null,
    upper: res.interval?.upper ?? null,
    runLower: res.state?.lower ?? null,
    runUpper: res.state?.upper ?? null,
    counted: res.counted,
    verdict: res.verdict,
    better: spec.better,
    margin: spec.margin,
    alpha: spec.alpha,
    tau: spec.tau,
    minTrials: spec.minTrials,
  });
  return {
    ...base,
    status: res.verdict,
    value: res.estimate,
    detail: res.reason,
    estimate: res.estimate,
    lower: res.state?.lower ?? null,
    upper: res.state?.upper ?? null,
    looks: res.state?.looks ?? 0,
    candidate: reading.candidate,
    champion: reading.champion,
  };
}
