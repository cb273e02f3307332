import { randomBytes } from 'node:crypto';
import type { StepAction } from '../../ports/registry.js';

/**
 * Who a step is, known before anything is written (ADR 26): the id goes into the commit's trailers,
 * the journal of the step in progress and the registry's `steps` row, so a step killed between its
 * commit and its record can be recognised later from any of the three.
 */
export interface StepIdentity {
  id: string;
  model: string;
  action: StepAction;
  /** The version the step serves (Mlctl-Version): the candidate, or the rollback's target. */
  version: number;
  /** The stage slug (Mlctl-Stage): shadow-50, canary-5, full, abort, rollback. */
  stage: string;
  /** The rollout's key (Mlctl-Rollout) for rollout steps; a start's key is its own id. */
  rollout: string | null;
  /** The plan a rollout starts with (Mlctl-Plan), on start steps only: adoption needs it. */
  plan?: string;
}

/** 12 hex digits: unique enough for one team's steps, short enough to read in `git log`. */
export const newStepId = (): string => randomBytes(6).toString('hex');

export const STEP_ID = /^[0-9a-f]{12}$/;

/**
 * The trailers of every mlctl commit in the GitOps repository: which model, version, stage, rollout
 * and step the commit is, so the git history can be matched with the registry (ADR 9, 26).
 */
export function stepTrailers(s: StepIdentity): Record<string, string> {
  return {
    'Mlctl-Model': s.model,
    'Mlctl-Version': String(s.version),
    'Mlctl-Stage': s.stage,
    ...(s.rollout !== null ? { 'Mlctl-Rollout': s.rollout } : {}),
    ...(s.plan !== undefined ? { 'Mlctl-Plan': s.plan } : {}),
    'Mlctl-Step': s.id,
    'Mlctl-Action': s.action,
  };
}
