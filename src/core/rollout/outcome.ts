import type { RolloutRecord } from '../../ports/registry.js';
import type { PendingLabel } from './pending.js';

/**
 * What one rollout step did, for rendering and --json (start, advance, complete, abort; `label`:
 * the second commit of the two-push rule; `cleanup`: the step after full's window).
 */
export interface StepOutcome {
  model: string;
  rollout: number;
  /** The rollout's key (its Mlctl-Rollout trailer) and this step's id (Mlctl-Step), ADR 26. */
  key: string;
  stepId: string;
  candidate: string;
  champion: string | null;
  action: 'start' | 'advance' | 'complete' | 'abort' | 'label' | 'cleanup';
  step: number;
  stage: string;
  state: RolloutRecord['state'];
  commit: string | null;
  pushed: boolean;
  files: string[];
  outside: string[];
  adr: string | null;
  forced: boolean;
  /** Labels this step's commit could not move yet (two-push rule): a later promote or tick writes them. */
  pending?: PendingLabel;
}
