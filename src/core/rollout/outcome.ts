import type { RolloutRecord } from '../../ports/registry.js';

/** What one rollout step did, for rendering and --json (start, advance, complete, abort). */
export interface StepOutcome {
  model: string;
  rollout: number;
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
