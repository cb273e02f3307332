import { simpleGit, type SimpleGit } from 'simple-git';
import { StorageError, UsageError } from '../../core/errors.js';
import type { GitOps, StageCommit } from '../../ports/gitops.js';

export class SimpleGitOps implements GitOps {
  private constructor(readonly root: string, private readonly git: SimpleGit) {}

  static async open(dir: string): Promise<SimpleGitOps> {
    const git = simpleGit({ baseDir: dir });
    const root = await git.revparse(['--show-toplevel']).then((s) => s.trim(), () => null);
    if (!root) throw new UsageError(`${dir} is not inside a git repository; serving configs must live in the GitOps repository`);
    return new SimpleGitOps(root, simpleGit({ baseDir: root }));
  }

  async dirty(files: string[]): Promise<string[]> {
    const out = await this.git.raw(['status', '--porcelain', '--', ...files]);
    return out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3));
  }

  async commit(c: StageCommit): Promise<string> {
    const trailers = Object.entries(c.trailers).map(([k, v]) => `${k}: ${v}`);
    try {
      await this.git.add(c.files);
      // Only these files: anything else the user has staged stays out of the rollout commit.
      const r = await this.git.commit([c.message, '', ...trailers].join('\n'), c.files);
      if (!r.commit) throw new StorageError(`nothing to commit for ${c.files.join(', ')}`);
      return (await this.git.revparse(['HEAD'])).trim();
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw new StorageError(`git commit failed in ${this.root}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    }
  }

  async undo(sha: string): Promise<void> {
    const head = (await this.git.revparse(['HEAD'])).trim();
    if (head !== sha) throw new StorageError(`cannot undo commit ${sha.slice(0, 10)}: HEAD moved to ${head.slice(0, 10)}; revert it by hand`);
    // --keep: move HEAD back and restore the committed files, keeping anyone's unrelated local edits.
    await this.git.raw(['reset', '--keep', `${sha}~1`]);
  }

  async push(remote: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      // HEAD: the current branch, to the same name, whether or not it tracks an upstream yet.
      await this.git.push(remote, 'HEAD');
      return { ok: true };
    } catch (err) {
      const msg = (err as Error).message;
      const line = msg.split('\n').find((l) => /rejected|denied|error:|fatal:/.test(l)) ?? msg.split('\n')[0]!;
      return { ok: false, reason: line.trim() };
    }
  }
}
