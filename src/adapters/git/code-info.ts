import { simpleGit } from 'simple-git';
import type { CodeGit } from '../../ports/git.js';
import type { CodeInfo } from '../../ports/registry.js';
import { redactUrl } from '../../core/util/redact-url.js';

export class SimpleCodeGit implements CodeGit {
  async codeInfo(dir: string): Promise<CodeInfo | null> {
    // onExit 0: no 50 ms wait after each git process (see SimpleGitOps.open).
    const git = simpleGit({ baseDir: dir, maxConcurrentProcesses: 4, completion: { onExit: 0 } });
    const inRepo = await git.checkIsRepo().catch(() => false);
    if (!inRepo) return null;
    const [commit, branch, status, remotes] = await Promise.all([
      git.revparse(['HEAD']).then(
        (s) => s.trim(),
        () => null,
      ),
      git.revparse(['--abbrev-ref', 'HEAD']).then(
        (s) => s.trim(),
        () => null,
      ),
      // Untracked files (often the very artifacts being registered) do not make the code dirty.
      // --branch: always some output, so simple-git does not wait 50 ms for a silent command.
      git.raw(['status', '--porcelain', '--branch', '--untracked-files=no']).then(
        (s) => s.split('\n').some((l) => l.trim() && !l.startsWith('## ')),
        () => null,
      ),
      git.getRemotes(true).catch(() => []),
    ]);
    const remote = remotes.find((r) => r.name === 'origin') ?? remotes[0];
    return {
      commit,
      branch: branch === 'HEAD' ? null : branch,
      dirty: status,
      remote: remote?.refs.fetch ? redactUrl(remote.refs.fetch) : null,
    };
  }
}
