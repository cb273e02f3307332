import { trailerValues } from './trailers.js';
import { headOf, modelCommits, published, reverted } from './step-commits.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { StorageError, UsageError } from '../../core/errors.js';
import type {
  GitOps,
  PushFailure,
  PushResult,
  RebaseResult,
  StageCommit,
  StepBranch,
  TrailedCommit,
} from '../../ports/gitops.js';
import { redactUrlsIn } from '../../core/util/redact-url.js';
import { GitError, runGit } from './run-git.js';

/** The line of git's stderr that says why. */
function why(err: unknown): string {
  const msg = (err as Error).message;
  const line = msg.split('\n').find((l) => /rejected|denied|error:|fatal:|conflict/i.test(l)) ?? msg.split('\n')[0]!;
  return line.trim();
}

export class CliGitOps implements GitOps {
  private constructor(readonly root: string) {}

  static async open(dir: string): Promise<CliGitOps> {
    // Walk up to the folder holding .git (a directory, or a file in worktrees and submodules):
    // the same answer as `git rev-parse --show-toplevel`, without a process per stage change.
    let root: string | null = null;
    for (let d = resolve(dir), i = 0; i < 256; i++) {
      if (existsSync(join(d, '.git'))) {
        root = d;
        break;
      }
      const up = dirname(d);
      if (up === d) break;
      d = up;
    }
    if (!root)
      throw new UsageError(`${dir} is not inside a git repository; serving configs must live in the GitOps repository`);
    return new CliGitOps(root);
  }

  private run(args: string[]): Promise<string> {
    return runGit(this.root, args);
  }

  async dirty(files: string[]): Promise<string[]> {
    const out = await this.run(['status', '--porcelain', '--branch', '--', ...files]);
    return out
      .split('\n')
      .filter((l) => l && !l.startsWith('## '))
      .map((l) => l.slice(3));
  }

  async commit(c: StageCommit): Promise<string> {
    const trailers = Object.entries(c.trailers).map(([k, v]) => `${k}: ${v}`);
    try {
      const message = [c.message, '', ...trailers].join('\n');
      if (c.created?.length) await this.run(['add', '--', ...c.created]);
      // Only these files: anything else the user has staged stays out of the rollout commit.
      // core.abbrev=40: the summary line carries the full sha, no rev-parse process after.
      const commit = ['-c', 'core.abbrev=40', 'commit', '-m', message, '--', ...c.files];
      const out = await this.run(commit).catch(async (err: Error) => {
        if (
          err instanceof GitError &&
          err.exitCode === 1 &&
          /nothing (added )?to commit|no changes added/.test(err.stdout)
        )
          throw new StorageError(`nothing to commit for ${c.files.join(', ')}`);
        // A file that existed untracked (an ADR written with --no-commit, say): add it, then commit.
        if (!/did not match any file/.test(err.message)) throw err;
        await this.run(['add', '--', ...c.files]);
        return this.run(commit);
      });
      const sha = /^\[[^\]]*?([0-9a-f]{40})\]/m.exec(out)?.[1];
      return sha ?? (await this.run(['rev-parse', 'HEAD'])).trim();
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw new StorageError(
        `git commit failed in ${this.root}: ${redactUrlsIn((err as Error).message.split('\n')[0]!)}`,
        {
          cause: err,
        },
      );
    }
  }

  async undo(sha: string): Promise<void> {
    const head = (await this.run(['rev-parse', 'HEAD'])).trim();
    if (head !== sha)
      throw new StorageError(
        `cannot undo commit ${sha.slice(0, 10)}: HEAD moved to ${head.slice(0, 10)}; revert it by hand`,
      );
    // --keep: move HEAD back and restore the committed files, keeping anyone's unrelated local edits.
    await this.run(['reset', '--keep', `${sha}~1`]);
  }

  trailerValues(key: string): Promise<Array<{ commit: string; value: string }>> {
    return trailerValues(this.root, key);
  }

  head(): Promise<string | null> {
    return headOf(this.root);
  }

  modelCommits(model: string, limit: number): Promise<TrailedCommit[]> {
    return modelCommits(this.root, model, limit);
  }

  published(sha: string, remote: string): Promise<boolean> {
    return published(this.root, sha, remote);
  }

  reverted(sha: string): Promise<boolean> {
    return reverted(this.root, sha);
  }

  async push(remote: string): Promise<PushResult> {
    try {
      // HEAD: the current branch, to the same name, whether or not it tracks an upstream yet.
      await this.run(['push', remote, 'HEAD']);
      return { ok: true };
    } catch (err) {
      return { ok: false, why: pushFailure((err as Error).message), reason: redactUrlsIn(why(err)) };
    }
  }

  async remoteUrl(remote: string): Promise<string | null> {
    try {
      return (await this.run(['remote', 'get-url', remote])).trim() || null;
    } catch {
      return null;
    }
  }

  async currentBranch(): Promise<string | null> {
    // symbolic-ref fails on a detached HEAD; --quiet keeps that silent.
    const out = await this.run(['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => '');
    return out.trim() || null;
  }

  private async sha(ref: string): Promise<string | null> {
    const out = await this.run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => '');
    return out.trim() || null;
  }

  /** Update refs/remotes/<remote>/<branch> from the remote; the fetched commit. */
  private async fetch(remote: string, branch: string): Promise<string> {
    const tracking = `refs/remotes/${remote}/${branch}`;
    try {
      await this.run(['fetch', '--quiet', '--no-tags', remote, `+refs/heads/${branch}:${tracking}`]);
    } catch (err) {
      throw new StorageError(`cannot fetch ${branch} from ${remote}: ${why(err)}`, { cause: err });
    }
    const sha = await this.sha(tracking);
    if (!sha) throw new StorageError(`${remote} has no branch ${branch}`);
    return sha;
  }

  private async checkName(branch: string): Promise<void> {
    try {
      await this.run(['check-ref-format', '--branch', branch]);
    } catch {
      throw new UsageError(`${JSON.stringify(branch)} is not a valid git branch name`);
    }
  }

  async startBranch(o: { remote: string; base: string; branch: string; replace?: boolean }): Promise<StepBranch> {
    await this.checkName(o.branch);
    const previous = (await this.currentBranch()) ?? (await this.sha('HEAD'));
    if (!previous) throw new StorageError(`${this.root} has no commit yet; commit the serving files first`);
    const baseSha = await this.fetch(o.remote, o.base);
    if (!o.replace && (await this.sha(`refs/heads/${o.branch}`)))
      throw new StorageError(
        `branch ${o.branch} already exists in ${this.root} (left by an interrupted step?); delete it with git branch -D ${o.branch} and run the command again`,
      );
    try {
      // No --force: uncommitted edits that the switch would overwrite make it fail instead.
      await this.run(['switch', '--quiet', '--no-track', o.replace ? '-C' : '-c', o.branch, baseSha]);
    } catch (err) {
      throw new StorageError(`cannot create branch ${o.branch} from ${o.remote}/${o.base}: ${why(err)}`, {
        cause: err,
      });
    }
    return { branch: o.branch, base: o.base, remote: o.remote, baseSha, previous };
  }

  async pushBranch(remote: string, branch: string, o: { lease?: string } = {}): Promise<PushResult> {
    const ref = `refs/heads/${branch}`;
    const lease = o.lease ? [`--force-with-lease=${ref}:${o.lease}`] : [];
    try {
      await this.run(['push', '--quiet', '--porcelain', ...lease, remote, `${ref}:${ref}`]);
      return { ok: true };
    } catch (err) {
      return { ok: false, why: pushFailure((err as Error).message), reason: redactUrlsIn(why(err)) };
    }
  }

  async rebaseBranch(o: { remote: string; base: string; branch: string }): Promise<RebaseResult> {
    const baseSha = await this.fetch(o.remote, o.base);
    const oldSha = await this.fetch(o.remote, o.branch);
    const common = (await this.run(['merge-base', baseSha, oldSha]).catch(() => '')).trim();
    if (common === baseSha) return { ok: true, moved: false, sha: oldSha, oldSha, baseSha };
    if ((await this.currentBranch()) === o.branch)
      throw new StorageError(`cannot rebase ${o.branch} while it is checked out; switch to ${o.base} first`);
    // A worktree of its own: the user's working tree, index and HEAD stay as they are.
    const dir = mkdtempSync(join(tmpdir(), 'mlctl-rebase-'));
    try {
      await this.run(['worktree', 'add', '--quiet', '--detach', dir, oldSha]);
      const wt = (args: string[]) => runGit(dir, args);
      try {
        await wt(['rebase', '--quiet', baseSha]);
      } catch (err) {
        const conflicts = (await wt(['diff', '--name-only', '--diff-filter=U']).catch(() => ''))
          .split('\n')
          .filter(Boolean);
        await wt(['rebase', '--abort']).catch(() => undefined);
        if (!conflicts.length)
          throw new StorageError(`cannot rebase ${o.branch} onto ${o.remote}/${o.base}: ${why(err)}`, { cause: err });
        return { ok: false, conflicts, oldSha, baseSha };
      }
      const sha = (await wt(['rev-parse', 'HEAD'])).trim();
      await this.run(['branch', '--force', o.branch, sha]);
      return { ok: true, moved: true, sha, oldSha, baseSha };
    } finally {
      await this.run(['worktree', 'remove', '--force', dir]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      await this.run(['worktree', 'prune']).catch(() => undefined);
    }
  }

  async returnTo(ref: string): Promise<void> {
    const isBranch = !/^[0-9a-f]{40}$/.test(ref);
    try {
      await this.run(['switch', '--quiet', ...(isBranch ? [ref] : ['--detach', ref])]);
    } catch (err) {
      throw new StorageError(`cannot switch back to ${ref} in ${this.root}: ${why(err)}`, { cause: err });
    }
  }

  async deleteBranch(branch: string): Promise<void> {
    // A guard against a caller's mistake: this deletes unmerged work, so only mlctl's own branches.
    if (!branch.startsWith('mlctl/')) throw new Error(`refusing to delete ${branch}: not an mlctl/ branch`);
    if ((await this.currentBranch()) === branch)
      throw new StorageError(`cannot delete ${branch} while it is checked out`);
    try {
      await this.run(['branch', '--quiet', '-D', branch]);
    } catch (err) {
      throw new StorageError(`cannot delete branch ${branch}: ${why(err)}`, { cause: err });
    }
  }

  async remoteBranch(remote: string, branch: string): Promise<string | null> {
    try {
      const out = await this.run(['ls-remote', '--heads', remote, `refs/heads/${branch}`]);
      const line = out.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
      return line ? line.split('\t')[0]! : null;
    } catch (err) {
      throw new StorageError(`cannot reach ${remote} to look for branch ${branch}: ${why(err)}`, { cause: err });
    }
  }

  async deleteRemoteBranch(remote: string, branch: string, lease: string): Promise<PushResult> {
    if (!branch.startsWith('mlctl/')) throw new Error(`refusing to delete ${branch}: not an mlctl/ branch`);
    const ref = `refs/heads/${branch}`;
    try {
      await this.run(['push', '--quiet', '--porcelain', `--force-with-lease=${ref}:${lease}`, remote, `:${ref}`]);
      return { ok: true };
    } catch (err) {
      return { ok: false, why: pushFailure((err as Error).message), reason: redactUrlsIn(why(err)) };
    }
  }
}

/** Read git's own wording: the remote said no, was never reached, or refused who we are. */
function pushFailure(msg: string): PushFailure {
  if (/\[(remote )?rejected\]|non-fast-forward|fetch first|pre-receive hook declined/i.test(msg)) return 'rejected';
  if (/authentication failed|permission denied|could not read (username|password)|403|access denied/i.test(msg))
    return 'denied';
  if (
    /could not resolve host|failed to connect|couldn't connect|connection (refused|timed out|reset)|timed out|network is unreachable|does not appear to be a git repository|repository .* not found|could not read from remote repository/i.test(
      msg,
    )
  )
    return 'unreachable';
  return 'failed';
}
