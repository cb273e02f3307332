import { execFile } from 'node:child_process';
import { StorageError } from '../../core/errors.js';
import type { TrailedCommit } from '../../ports/gitops.js';

/** git in `root`; resolves with its exit code instead of rejecting, so "no" answers are not errors. */
function git(
  root: string,
  args: string[],
  timeoutMs = 30_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd: root, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : -1
        : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export async function headOf(root: string): Promise<string | null> {
  const r = await git(root, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  return r.code === 0 ? r.stdout.trim() : null;
}

/** Commits of HEAD's history with `Mlctl-Model: <model>` among their trailers, newest first. */
export async function modelCommits(root: string, model: string, limit: number): Promise<TrailedCommit[]> {
  // --grep narrows the walk cheaply (fixed string: model names never need escaping); the trailers
  // themselves are then read exactly, so "fraud" does not match a commit of "fraud-eu".
  const r = await git(root, [
    'log',
    `-n${limit * 4}`,
    '--fixed-strings',
    `--grep=Mlctl-Model: ${model}`,
    '--format=%H%x1f%(trailers:unfold,only,separator=%x1e)%x1d',
    'HEAD',
    '--',
  ]);
  if (r.code !== 0 && (await headOf(root)) === null) return []; // no commits yet
  if (r.code !== 0)
    throw new StorageError(
      `cannot read the git history in ${root}: ${r.stderr.split('\n')[0] || `git exited ${r.code}`}`,
    );
  const out: TrailedCommit[] = [];
  for (const rec of r.stdout.split('\x1d')) {
    const [sha, text] = rec.replace(/^\n/, '').split('\x1f');
    if (!sha || !/^[0-9a-f]{40}$/.test(sha)) continue;
    const trailers: Record<string, string> = {};
    for (const line of (text ?? '').split('\x1e')) {
      const i = line.indexOf(':');
      if (i > 0) trailers[line.slice(0, i).trim()] ??= line.slice(i + 1).trim();
    }
    if (trailers['Mlctl-Model'] === model) out.push({ commit: sha, trailers });
    if (out.length === limit) break;
  }
  return out;
}

/** Is `sha` contained in `remote`'s copy of the current branch? */
export async function published(root: string, sha: string, remote: string): Promise<boolean> {
  const branch = await git(root, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  if (branch.code !== 0) return false;
  const name = branch.stdout.trim();
  const contains = async (tip: string) => (await git(root, ['merge-base', '--is-ancestor', sha, tip])).code === 0;
  // The remote itself: a push that landed just before a kill may not have updated the tracking ref.
  const ls = await git(root, ['ls-remote', '--heads', remote, `refs/heads/${name}`], 15_000);
  if (ls.code === 0) {
    const tip = ls.stdout.split(/\s/)[0] ?? '';
    if (!tip) return false;
    if (tip === sha) return true;
    if ((await git(root, ['cat-file', '-e', `${tip}^{commit}`])).code === 0) return contains(tip);
  }
  const tracking = `refs/remotes/${remote}/${name}`;
  if ((await git(root, ['rev-parse', '--verify', '--quiet', tracking])).code !== 0) return false;
  return contains(tracking);
}

export async function reverted(root: string, sha: string): Promise<boolean> {
  const r = await git(root, [
    'log',
    '-n1',
    '--format=%H',
    '--fixed-strings',
    `--grep=This reverts commit ${sha}`,
    'HEAD',
    '--',
  ]);
  return r.code === 0 && r.stdout.trim().length > 0;
}
