import { trailerValues } from './trailers.js';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { StorageError, UsageError } from '../../core/errors.js';
import type { GitOps, PushFailure, StageCommit } from '../../ports/gitops.js';
import { redactUrlsIn } from '../../core/util/redact-url.js';

export class SimpleGitOps implements GitOps {
  private constructor(
    readonly root: string,
    private readonly git: SimpleGit,
  ) {}

  static async open(dir: string): Promise<SimpleGitOps> {
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
    // onExit 0: simple-git otherwise keeps a 50 ms timer alive after each git process, delaying exit.
    return new SimpleGitOps(root, simpleGit({ baseDir: root, completion: { onExit: 0 } }));
  }

  async dirty(files: string[]): Promise<string[]> {
    // --branch and add -v always print something: simple-git waits 50 ms more for commands that
    // print nothing (its completion plugin), which would cost a stage change 100 ms.
    const out = await this.git.raw(['status', '--porcelain', '--branch', '--', ...files]);
    return out
      .split('\n')
      .filter((l) => l && !l.startsWith('## '))
      .map((l) => l.slice(3));
  }

  async commit(c: StageCommit): Promise<string> {
    const trailers = Object.entries(c.trailers).map(([k, v]) => `${k}: ${v}`);
    try {
      const message = [c.message, '', ...trailers].join('\n');
      if (c.created?.length) await this.git.raw(['add', '-v', '--', ...c.created]);
      // Only these files: anything else the user has staged stays out of the rollout commit.
      const r = await this.git.commit(message, c.files).catch(async (err: Error) => {
        // A file that existed untracked (an ADR written with --no-commit, say): add it, then commit.
        if (!/did not match any file/.test(err.message)) throw err;
        await this.git.raw(['add', '-v', '--', ...c.files]);
        return this.git.commit(message, c.files);
      });
      if (!r.commit) throw new StorageError(`nothing to commit for ${c.files.join(', ')}`);
      // simple-git runs commit with core.abbrev=40, so the summary already has the full sha.
      return /^[0-9a-f]{40}$/.test(r.commit) ? r.commit : (await this.git.revparse(['HEAD'])).trim();
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
    const head = (await this.git.revparse(['HEAD'])).trim();
    if (head !== sha)
      throw new StorageError(
        `cannot undo commit ${sha.slice(0, 10)}: HEAD moved to ${head.slice(0, 10)}; revert it by hand`,
      );
    // --keep: move HEAD back and restore the committed files, keeping anyone's unrelated local edits.
    await this.git.raw(['reset', '--keep', `${sha}~1`]);
  }

  trailerValues(key: string): Promise<Array<{ commit: string; value: string }>> {
    return trailerValues(this.root, key);
  }

  async push(remote: string): Promise<{ ok: true } | { ok: false; why: PushFailure; reason: string }> {
    try {
      // HEAD: the current branch, to the same name, whether or not it tracks an upstream yet.
      await this.git.push(remote, 'HEAD');
      return { ok: true };
    } catch (err) {
      const msg = (err as Error).message;
      const line = msg.split('\n').find((l) => /rejected|denied|error:|fatal:/.test(l)) ?? msg.split('\n')[0]!;
      return { ok: false, why: pushFailure(msg), reason: redactUrlsIn(line.trim()) };
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
