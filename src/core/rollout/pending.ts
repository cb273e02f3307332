/**
 * A rollout step that has been written but is not yet in effect, stored with the rollout (its
 * `pending` field) until a later `promote` or `rollout tick` settles it. Two kinds exist:
 *
 * - `pull_request` (ADR 25, git.mode: pull-request): the step's commit is on a branch with an open
 *   pull request; it takes effect when the pull request is merged, is cancelled when it is closed.
 * - `label` (the two-push rule of the text-proto serving targets): the commit loaded a version; the
 *   label follows in a second commit once the server has loaded it.
 *
 * While a step is pending the stage's bake time has not started: `stepStartedAt` is set when the
 * step takes effect.
 */
export type PendingStep = PendingPullRequest | PendingLabel;

export interface PendingPullRequest {
  kind: 'pull_request';
  /** The stage the step moves to (or 'aborted' / 'rolled-back' for those steps). */
  stage: string;
  action: string;
  /** When the step was written (ISO). */
  since: string;
  number: number;
  url: string;
  branch: string;
  /** Step id (Mlctl-Step trailer) of the commit on the branch. */
  stepId: string;
  commit: string;
  /** The branch the pull request goes into (the branch that was checked out). */
  base: string;
  /** The step in words, for messages and status: "canary 10%", "full", "abort", "rollback to fraud@1". */
  label: string;
  /** Aborts and rollbacks opened as pull requests are urgent (titled so). */
  urgent: boolean;
  /** The ADR file (name) the step creates or edits, if any. */
  adr: string | null;
  /** What merging does to the registry (core/rollout/pr-land.ts). */
  effect: PullRequestEffect;
}

/** What a pull-request step does to the registry once merged: the record of its commit-mode twin. */
export type PullRequestEffect =
  | { kind: 'start'; forced: boolean; reason: string | null; gateRunId: number | null }
  | {
      kind: 'advance';
      /** The plan step it moves to (the last one completes the rollout). */
      to: number;
      forced: boolean;
      reason: string | null;
      checks: Array<{ name: string; status: string }>;
    }
  | {
      kind: 'abort';
      reason: string | null;
      by: 'rollback' | 'tick';
      failing: Array<{ name: string; value: number | null; detail: string }>;
      /** The outcome recorded on the rollout. */
      why: string;
    }
  | {
      /** A champion change outside a rollout: the first version's promotion, or a rollback. */
      kind: 'champion';
      via: 'promote' | 'rollback';
      version: number;
      previous: number | null;
      reason: string | null;
      gateRunId: number | null;
      forced: boolean;
      uri: string | null;
    };

export interface PendingLabel {
  kind: 'label';
  stage: string;
  action: string;
  since: string;
  /** The commit that loaded the version the label will point at (null: written with --no-commit). */
  loadCommit: string | null;
  /** Labels still to move, e.g. { stable: 7 }. */
  labels: Record<string, number>;
}

/** The pending step of a rollout record, or null (the stored JSON is trusted: only mlctl writes it). */
export function pendingOf(r: { pending: unknown }): PendingStep | null {
  return (r.pending as PendingStep | null) ?? null;
}
