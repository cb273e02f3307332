import { UsageError } from '../errors.js';
import { formatRef } from '../refs.js';
import { overMaxReplicas, replicasAtStage } from '../capacity/per-stage.js';
import { resolveCapacity } from '../capacity/resolve.js';
import { describeStage } from './stages.js';
import type { RolloutContext } from './context.js';
import type { ServingSpec } from '../config/index.js';
import type { RolloutStage, VersionRecord } from '../../ports/registry.js';
import type { TrafficTarget } from '../serving/types.js';

/*
 * Replicas per stage (issue 14, ADR 24 "size both sides"). A rollout is sized once, when it starts:
 * the counts are frozen into its plan (RolloutStage.replicas) like the stages themselves, so every
 * later step — advance, abort, tick, the scale-down after full — writes the same numbers without
 * asking Prometheus or the registry again, and `rollout plan` shows what will be written.
 */

/** What sizing a rollout found, for its start event and the command's warnings. */
export interface SizingRecord {
  peakQps: number;
  peakSource: string;
  qpsPerReplica: { candidate: number; champion: number | null };
  headroom: number;
  minReplicas: number;
  /** Versions sized with --assume-qps-per-replica (no registered throughput metric). */
  assumed: Array<{ version: number; qpsPerReplica: number }>;
}

export interface SizedPlan {
  stages: RolloutStage[];
  sizing: SizingRecord | null;
}

/**
 * The plan with each stage's replica counts, when the model has a capacity configuration (else as
 * given). Refuses (exit 2) a version without its throughput metric unless `assume` is given.
 */
export async function sizePlan(
  ctx: Pick<RolloutContext, 'registry' | 'checks'>,
  spec: ServingSpec,
  model: string,
  stages: RolloutStage[],
  versions: { candidate: VersionRecord; champion: VersionRecord | null },
  assume?: number,
): Promise<SizedPlan> {
  if (!spec.capacity) return { stages, sizing: null };
  const sized = await resolveCapacity(spec.capacity, {
    model,
    registry: ctx.registry,
    candidate: versions.candidate,
    champion: versions.champion,
    fetch: ctx.checks.fetch,
    assumeQpsPerReplica: assume,
  });
  return {
    stages: stages.map((s) => ({ ...s, replicas: replicasAtStage(s, sized) })),
    sizing: {
      peakQps: sized.peakQps,
      peakSource: sized.peakSource,
      qpsPerReplica: sized.qpsPerReplica,
      headroom: sized.headroom,
      minReplicas: sized.minReplicas,
      assumed: sized.assumed,
    },
  };
}

/** Warnings for versions sized with an assumed throughput (said, and recorded with the start event). */
export const assumedWarnings = (model: string, s: SizingRecord | null): string[] =>
  (s?.assumed ?? []).map(
    (a) =>
      `${formatRef(model, a.version)} has no registered throughput: sized with the assumed ${a.qpsPerReplica} QPS per replica (recorded)`,
  );

/** Refuse (exit 2, with the numbers) a stage that needs more replicas in total than max_replicas allows. */
export function assertFits(model: string, spec: ServingSpec, stage: RolloutStage): void {
  if (!stage.replicas) return;
  const over = overMaxReplicas(stage.replicas, spec.capacity?.maxReplicas);
  if (over)
    throw new UsageError(
      `${model}: ${describeStage(stage)} needs ${over.total} replicas (${over.candidate} candidate + ${over.champion} champion), above serving.${model}.capacity.max_replicas ${over.max}; raise max_replicas, or use a plan whose stages fit`,
    );
}

/** The champion's full size, as the plan froze it (null: the rollout was not sized). */
export function championReplicas(plan: readonly RolloutStage[]): number | null {
  return plan[0]?.replicas?.champion ?? null;
}

/** The counts of the step after full's window: the new champion at full size, the old one at zero. */
export function scaledDownReplicas(plan: readonly RolloutStage[]): TrafficTarget['replicas'] | undefined {
  const full = plan[plan.length - 1]?.replicas;
  return full ? { candidate: full.candidate, champion: 0 } : undefined;
}
