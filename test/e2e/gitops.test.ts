import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliGitOps } from '../../src/adapters/git/gitops.js';
import { tempDir } from '../support/helpers.js';

const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@x',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@x',
};
const git = (cwd: string, ...a: string[]) => execFileSync('git', a, { cwd, env }).toString().trim();

function repoWithRemote() {
  const remote = tempDir('mlctl-remote-');
  git(remote, 'init', '-q', '--bare', '-b', 'main');
  const dir = tempDir('mlctl-gitops-');
  git(dir, 'init', '-q', '-b', 'main');
  mkdirSync(join(dir, 'deploy'));
  writeFileSync(join(dir, 'deploy/vs.yaml'), 'kind: VirtualService\n');
  writeFileSync(join(dir, 'notes.txt'), 'unrelated\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'init');
  git(dir, 'remote', 'add', 'origin', remote);
  git(dir, 'push', '-q', 'origin', 'main');
  return { dir, remote };
}

const IDENTITY = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' };
const saved: Record<string, string | undefined> = {};
// git runs with this process's environment; CI machines may have no git identity.
beforeAll(() => {
  for (const [k, v] of Object.entries(IDENTITY)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('GitOps commits (real repositories, bare remote)', () => {
  it('commits only the stage files, with trailers, and pushes', async () => {
    const { dir, remote } = repoWithRemote();
    const ops = await CliGitOps.open(join(dir, 'deploy'));
    writeFileSync(join(dir, 'deploy/vs.yaml'), 'kind: VirtualService\nweight: 5\n');
    writeFileSync(join(dir, 'notes.txt'), 'staged but not part of the rollout\n');
    git(dir, 'add', 'notes.txt');
    expect(await ops.dirty(['deploy/vs.yaml'])).toEqual(['deploy/vs.yaml']);
    const sha = await ops.commit({
      files: ['deploy/vs.yaml'],
      message: 'mlctl: fraud@4 canary 5%',
      trailers: { 'Mlctl-Model': 'fraud', 'Mlctl-Version': '4', 'Mlctl-Stage': 'canary-5', 'Mlctl-Rollout': 'r1' },
    });
    expect(git(dir, 'show', '--name-only', '--format=', sha)).toBe('deploy/vs.yaml');
    expect(git(dir, 'log', '-1', '--format=%B')).toBe(
      'mlctl: fraud@4 canary 5%\n\nMlctl-Model: fraud\nMlctl-Version: 4\nMlctl-Stage: canary-5\nMlctl-Rollout: r1',
    );
    expect(git(dir, 'log', '-1', '--format=%(trailers:key=Mlctl-Stage,valueonly)')).toBe('canary-5');
    expect(git(dir, 'diff', '--cached', '--name-only')).toBe('notes.txt');
    expect(await ops.push('origin')).toEqual({ ok: true });
    expect(git(remote, 'log', '-1', '--format=%s', 'main')).toBe('mlctl: fraud@4 canary 5%');
  });

  it('a rejected push is reported, not thrown', async () => {
    const { dir, remote } = repoWithRemote();
    // Someone else pushed first.
    const other = tempDir('mlctl-other-');
    git(other, 'clone', '-q', remote, '.');
    writeFileSync(join(other, 'x.txt'), 'x');
    git(other, 'add', '.');
    git(other, 'commit', '-qm', 'other');
    git(other, 'push', '-q', 'origin', 'main');
    const ops = await CliGitOps.open(dir);
    writeFileSync(join(dir, 'deploy/vs.yaml'), 'kind: VirtualService\nweight: 25\n');
    await ops.commit({ files: ['deploy/vs.yaml'], message: 'mlctl: fraud@4 ramp 25%', trailers: {} });
    const r = await ops.push('origin');
    expect(r.ok).toBe(false);
    expect((r as { reason: string }).reason).toMatch(/rejected/);
  });

  it('outside a repository: a usage error naming the folder', async () => {
    await expect(CliGitOps.open(tempDir())).rejects.toThrow(/is not inside a git repository/);
  });
});
