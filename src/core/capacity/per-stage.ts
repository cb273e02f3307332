import type { RolloutStage } from '../../ports/registry.js';
import { describeStage } from '../rollout/stages.js';
import type { Exact } from './exact.js';
import { replicasFor, shareOf } from './sizing.js';

export type PlanStage = Pick<RolloutStage, 'stage' | 'weight' | 'mirror'>;

/** Everything per-stage sizing needs; each side has its own throughput (a new model can be slower). */
export interface StageSizing {
  peak: Exact | number;
  headroom: number;
  minReplicas: number;
  qpsPerReplica: {
    candidate: number;
    /** null: there is no champion (a first rollout). */
    champion: number | null;
  };
}

export interface SideReplicas {
  candidate: number;
  champion: number;
}

export interface StageCapacity extends SideReplicas {
  /** describeStage() of the plan's stage, or "scale-down" for the follow-up step after `full`. */
  stage: string;
  total: number;
}

const candidateSizing = (s: StageSizing) => ({
  qpsPerReplica: s.qpsPerReplica.candidate,
  headroom: s.headroom,
  minReplicas: s.minReplicas,
});

/** The champion at full size (for all the peak), or 0 when there is none. */
export function championFullSize(s: StageSizing): number {
  const q = s.qpsPerReplica.champion;
  return q === null ? 0 : replicasFor(s.peak, { qpsPerReplica: q, headroom: s.headroom, minReplicas: s.minReplicas });
}

/** The candidate at full size: what it needs once it takes all the traffic. */
export function candidateFullSize(s: StageSizing): number {
  return replicasFor(s.peak, candidateSizing(s));
}

/**
 * Replicas at one stage: the candidate for its share (shadow mirror p% → p% of the peak, canary or
 * ramp weight w% → w%, full → all of it; never below minReplicas); the champion at full size
 * throughout, `full` included, so that an abort never lands on a shrunken champion and a rollback
 * just after `full` finds it warm. Only the follow-up step (scaledDown) takes it to zero.
 */
export function replicasAtStage(stage: PlanStage, s: StageSizing): SideReplicas {
  const share = stage.stage === 'full' ? 100 : stage.stage === 'shadow' ? (stage.mirror ?? 0) : (stage.weight ?? 0);
  return {
    candidate: replicasFor(shareOf(s.peak, share), candidateSizing(s)),
    champion: championFullSize(s),
  };
}

/** After `full` and the scale-down window: the new champion at full size, the old one at zero. */
export function scaledDown(s: StageSizing): SideReplicas {
  return { candidate: candidateFullSize(s), champion: 0 };
}

/** Every stage of a plan, then the scale-down step. */
export function capacityPerStage(plan: readonly PlanStage[], s: StageSizing): StageCapacity[] {
  const row = (stage: string, r: SideReplicas): StageCapacity => ({ stage, ...r, total: r.candidate + r.champion });
  return [
    ...plan.map((st) => row(describeStage(st as RolloutStage), replicasAtStage(st, s))),
    row('scale-down', scaledDown(s)),
  ];
}

export interface OverMax extends SideReplicas {
  total: number;
  max: number;
}

/** The numbers when a stage needs more replicas in total than max_replicas allows, else null. */
export function overMaxReplicas(r: SideReplicas, maxReplicas: number | undefined): OverMax | null {
  const total = r.candidate + r.champion;
  return maxReplicas !== undefined && total > maxReplicas ? { ...r, total, max: maxReplicas } : null;
}
