import type { RolloutRecord } from '../../ports/registry.js';

/** What one rollout step did, for rendering and --json (start, advance, complete, abort). */
export interface StepOutcome {
  model: string;
  rollout: number;
  /** The rollout's key (its Mlctl-Rollout trailer) and this step's id (Mlctl-Step), ADR 17. */
  key: string;
  stepId: string;
  candidate: string;
  champion: string | null;
  action: 'start' | 'advance' | 'complete' | 'abort';
  step: number;
  stage: string;
  state: RolloutRecord['state'];
  commit: string | null;
  pushed: boolean;
  files: string[];
  outside: string[];
  adr: string | null;
  forced: boolean;
}
