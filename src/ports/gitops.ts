export interface StageCommit {
  /** Files (relative to the repository root) to commit: serving configs and the ADR. */
  files: string[];
  /** Those of `files` that did not exist before this step (they need `git add`; tracked files do not). */
  created?: string[];
  message: string;
  trailers: Record<string, string>;
}

export type PushResult = { ok: true } | { ok: false; why: PushFailure; reason: string };

/**
 * Why a push did not happen: the remote refused the commits (someone pushed first, a protected
 * branch), it could not be reached (refused connection, unknown host, no repository there), it
 * refused the credentials, or something else git said.
 */
export type PushFailure = 'rejected' | 'unreachable' | 'denied' | 'failed';

/** A step's branch, made by startBranch from the remote's base. */
export interface StepBranch {
  branch: string;
  base: string;
  remote: string;
  /** The remote base's commit the branch starts from. */
  baseSha: string;
  /** Where HEAD was (a branch name, or a commit when detached): returnTo() goes back there. */
  previous: string;
}

export type RebaseResult =
  /**
   * moved: false when the branch already contains the base (nothing done). Otherwise the local
   * branch now points at `sha` (rebased from `oldSha`): push it with pushBranch(…, { lease: oldSha }).
   * `sha` equal to `baseSha` means the base already holds the change.
   */
  | { ok: true; moved: boolean; sha: string; oldSha: string; baseSha: string }
  /** The rebase stopped on these files and was aborted: nothing changed, locally or on the remote. */
  | { ok: false; conflicts: string[]; oldSha: string; baseSha: string };

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
  /** Push the current branch; resolves with why (never throws) when the push did not happen. */
  push(remote: string): Promise<PushResult>;

  // Pull-request mode (ADR 25): each step on its own branch, pushed, merged by the host.

  /** The remote's URL as configured; it may hold credentials, so show it only through redactUrl. null: no such remote. */
  remoteUrl(remote: string): Promise<string | null>;
  /** The checked-out branch, or null when HEAD is detached. */
  currentBranch(): Promise<string | null>;
  /**
   * Fetch `base` from `remote`, then create `branch` at the fetched commit and check it out.
   * Refuses (StorageError) when `branch` exists locally, unless `replace` (a retry after a crash
   * before the push: the branch is made anew). Uncommitted edits to other files come along, as
   * with `git switch`.
   */
  startBranch(o: { remote: string; base: string; branch: string; replace?: boolean }): Promise<StepBranch>;
  /**
   * Push the local `branch` to the same name. Without `lease` a fast-forward only; with it, the
   * remote branch is replaced only while it is still at `lease` (after rebaseBranch). Never throws
   * for a rejection.
   */
  pushBranch(remote: string, branch: string, o?: { lease?: string }): Promise<PushResult>;
  /**
   * Rebase the remote's `branch` onto the remote's current `base`, in a temporary worktree (the
   * working tree and HEAD are not touched), and point the local `branch` at the result. A conflict
   * is reported with its files and nothing is changed: never resolved, never forced.
   */
  rebaseBranch(o: { remote: string; base: string; branch: string }): Promise<RebaseResult>;
  /** Check out `ref` (StepBranch.previous) again; the step branch's files give way to that ref's. */
  returnTo(ref: string): Promise<void>;
  /** Delete the local `branch` (only mlctl/… branches, never the checked-out one); the remote one stays for its pull request. */
  deleteBranch(branch: string): Promise<void>;
  /** The commit `branch` points at on `remote` (asks the remote), or null when it has no such branch. */
  remoteBranch(remote: string, branch: string): Promise<string | null>;
  /**
   * Delete mlctl's `branch` on `remote` while it still points at `lease` (a step whose pull request
   * could not be opened takes its branch back). Never throws for a rejection.
   */
  deleteRemoteBranch(remote: string, branch: string, lease: string): Promise<PushResult>;
}
