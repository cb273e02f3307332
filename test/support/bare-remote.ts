import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';

export const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@x',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@x',
};

export const git = (cwd: string, ...a: string[]) =>
  execFileSync('git', a, { cwd, env: { ...process.env, ...GIT_IDENTITY }, stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();

export interface RepoWithRemote {
  /** A clone with `main` checked out and `origin` set. */
  dir: string;
  /** The bare repository standing for the hosted one. */
  remote: string;
  /** Commit `files` on a fresh clone's `branch` and push it (someone else's change). */
  pushFromElsewhere(branch: string, files: Record<string, string>, message: string): string;
  cleanup(): void;
}

/** A bare remote whose main holds deploy/vs.yaml and notes.txt, and a clone of it. */
export function repoWithRemote(files: Record<string, string> = {}): RepoWithRemote {
  const remote = tempDir('mlctl-remote-');
  git(remote, 'init', '-q', '--bare', '-b', 'main');
  const dir = tempDir('mlctl-gitops-');
  git(dir, 'init', '-q', '-b', 'main');
  const all = { 'deploy/vs.yaml': 'kind: VirtualService\nweight: 0\n', 'notes.txt': 'unrelated\n', ...files };
  for (const [p, c] of Object.entries(all)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'init');
  git(dir, 'remote', 'add', 'origin', remote);
  git(dir, 'push', '-q', '-u', 'origin', 'main');
  // One other clone for everyone else's pushes (a clone per push costs a test ~0.3 s), made with the
  // repository so that it lives as long (a folder made inside a test is removed after that test).
  const other = tempDir('mlctl-other-');
  git(other, 'clone', '-q', remote, '.');
  return {
    dir,
    remote,
    pushFromElsewhere(branch, changes, message) {
      git(other, 'fetch', '-q', 'origin');
      const exists = git(other, 'branch', '-r', '--list', `origin/${branch}`) !== '';
      git(other, 'checkout', '-q', '-B', branch, exists ? `origin/${branch}` : 'origin/main');
      for (const [p, c] of Object.entries(changes)) {
        mkdirSync(join(other, p, '..'), { recursive: true });
        writeFileSync(join(other, p), c);
      }
      git(other, 'add', '.');
      git(other, 'commit', '-qm', message);
      git(other, 'push', '-q', 'origin', branch);
      return git(other, 'rev-parse', 'HEAD');
    },
    cleanup() {
      for (const d of [dir, remote, ...(other ? [other] : [])]) rmSync(d, { recursive: true, force: true });
    },
  };
}
