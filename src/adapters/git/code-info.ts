import type { CodeGit } from '../../ports/git.js';
import type { CodeInfo } from '../../ports/registry.js';
import { redactUrl } from '../../core/util/redact-url.js';
import { runGit } from './run-git.js';

/** The fetch URL of `origin`, else of the first remote, from `git remote -v`. */
function fetchUrl(remotes: string): string | null {
  const rows = remotes
    .split('\n')
    .map((l) => /^(\S+)\t(.+) \(fetch\)$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m);
  const row = rows.find((m) => m[1] === 'origin') ?? rows[0];
  return row ? row[2]! : null;
}

export class CliCodeGit implements CodeGit {
  async codeInfo(dir: string): Promise<CodeInfo | null> {
    const git = (args: string[]) => runGit(dir, args);
    const inRepo = (await git(['rev-parse', '--is-inside-work-tree']).catch(() => '')).trim() === 'true';
    if (!inRepo) return null;
    const [commit, branch, status, remote] = await Promise.all([
      git(['rev-parse', 'HEAD']).then(
        (s) => s.trim(),
        () => null,
      ),
      git(['rev-parse', '--abbrev-ref', 'HEAD']).then(
        (s) => s.trim(),
        () => null,
      ),
      // Untracked files (often the very artifacts being registered) do not make the code dirty.
      git(['status', '--porcelain', '--untracked-files=no']).then(
        (s) => s.split('\n').some((l) => l.trim()),
        () => null,
      ),
      git(['remote', '-v']).then(fetchUrl, () => null),
    ]);
    return {
      commit,
      branch: branch === 'HEAD' ? null : branch,
      dirty: status,
      remote: remote ? redactUrl(remote) : null,
    };
  }
}
