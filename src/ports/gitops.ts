export interface StageCommit {
  /** Files (relative to the repository root) to commit: serving configs and the ADR. */
  files: string[];
  /** Those of `files` that did not exist before this step (they need `git add`; tracked files do not). */
  created?: string[];
  message: string;
  trailers: Record<string, string>;
}

/** A commit and its trailers (`Key: value` lines at the end of its message). */
export interface TrailedCommit {
  commit: string;
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
  /** HEAD's sha (null in a repository without commits). */
  head(): Promise<string | null>;
  /** The newest commits of HEAD's history whose trailers say `Mlctl-Model: <model>`, newest first. */
  modelCommits(model: string, limit: number): Promise<TrailedCommit[]>;
  /**
   * Whether `sha` is on `remote`'s copy of the current branch: asks the remote, and falls back to
   * the remote-tracking branch when it cannot be reached. False without such a remote or branch.
   */
  published(sha: string, remote: string): Promise<boolean>;
  /** Whether HEAD's history has a revert of `sha` (git revert's "This reverts commit <sha>."). */
  reverted(sha: string): Promise<boolean>;
  /** Push the current branch; resolves false (never throws) when the remote rejects it. */
  push(remote: string): Promise<{ ok: true } | { ok: false; reason: string }>;
}
