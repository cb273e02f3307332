export interface StageCommit {
  /** Files (relative to the repository root) to commit: serving configs and the ADR. */
  files: string[];
  /** Those of `files` that did not exist before this step (they need `git add`; tracked files do not). */
  created?: string[];
  message: string;
  trailers: Record<string, string>;
}

/** The team's GitOps repository, as rollouts use it. */
export interface GitOps {
  readonly root: string;
  /** Files among `files` with uncommitted changes (refused unless --allow-dirty). */
  dirty(files: string[]): Promise<string[]>;
  commit(c: StageCommit): Promise<string>;
  /** Undo `sha` when it is still HEAD and was never pushed (a step that failed after committing). */
  undo(sha: string): Promise<void>;
  /** Every commit on any ref carrying trailer `key`, with its value (e.g. Mlctl-Audit-Head). */
  trailerValues(key: string): Promise<Array<{ commit: string; value: string }>>;
  /** Push the current branch; resolves with why (never throws) when the push did not happen. */
  push(remote: string): Promise<{ ok: true } | { ok: false; why: PushFailure; reason: string }>;
}

/**
 * Why a push did not happen: the remote refused the commits (someone pushed first, a protected
 * branch), it could not be reached (refused connection, unknown host, no repository there), it
 * refused the credentials, or something else git said.
 */
export type PushFailure = 'rejected' | 'unreachable' | 'denied' | 'failed';
