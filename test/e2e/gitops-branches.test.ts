import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliGitOps } from '../../src/adapters/git/gitops.js';
import { GitHubPullRequests } from '../../src/adapters/github/pull-requests.js';
import { GIT_IDENTITY, git, repoWithRemote, type RepoWithRemote } from '../support/bare-remote.js';
import { startFakeGitHub } from '../support/fake-github.js';

const saved: Record<string, string | undefined> = {};
// git runs with this process's environment; CI machines may have no git identity.
beforeAll(() => {
  for (const [k, v] of Object.entries(GIT_IDENTITY)) {
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
const repos: RepoWithRemote[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});
function setup() {
  const r = repoWithRemote();
  repos.push(r);
  return r;
}
const TRAILERS = { 'Mlctl-Model': 'fraud', 'Mlctl-Version': '2', 'Mlctl-Stage': 'canary-5', 'Mlctl-Rollout': '1' };
const status = (dir: string) => git(dir, 'status', '--porcelain');

describe('GitOps branches for pull requests (real repositories, bare remote)', () => {
  it('a step branch starts from the remote base, carries the commit with trailers, is pushed, and the clone returns to main clean', async () => {
    const { dir, remote, pushFromElsewhere } = setup();
    // main moved on the remote since this clone last pulled.
    const upstream = pushFromElsewhere('main', { 'other.txt': 'someone else\n' }, 'upstream change');
    const ops = await CliGitOps.open(dir);
    expect(await ops.currentBranch()).toBe('main');
    expect(await ops.remoteUrl('origin')).toBe(remote);
    expect(await ops.remoteUrl('nope')).toBeNull();

    const b = await ops.startBranch({ remote: 'origin', base: 'main', branch: 'mlctl/fraud/1-canary-5' });
    expect(b).toEqual({
      branch: 'mlctl/fraud/1-canary-5',
      base: 'main',
      remote: 'origin',
      baseSha: upstream,
      previous: 'main',
    });
    expect(await ops.currentBranch()).toBe('mlctl/fraud/1-canary-5');
    writeFileSync(join(dir, 'deploy/vs.yaml'), 'kind: VirtualService\nweight: 5\n');
    const sha = await ops.commit({
      files: ['deploy/vs.yaml'],
      message: 'mlctl: fraud@2 canary 5%',
      trailers: TRAILERS,
    });
    expect(git(dir, 'rev-parse', `${sha}~1`)).toBe(upstream);
    expect(git(dir, 'log', '-1', '--format=%(trailers:key=Mlctl-Stage,valueonly)', sha)).toBe('canary-5');
    expect(await ops.pushBranch('origin', b.branch)).toEqual({ ok: true });
    expect(git(remote, 'rev-parse', b.branch)).toBe(sha);

    await ops.returnTo(b.previous);
    await ops.deleteBranch(b.branch);
    expect(await ops.currentBranch()).toBe('main');
    expect(status(dir)).toBe('');
    expect(readFileSync(join(dir, 'deploy/vs.yaml'), 'utf8')).toBe('kind: VirtualService\nweight: 0\n');
    expect(git(dir, 'branch', '--list', 'mlctl/*')).toBe('');
    expect(git(remote, 'rev-parse', 'main')).toBe(upstream);
    expect(git(remote, 'branch', '--list', 'mlctl/*')).toContain('mlctl/fraud/1-canary-5');
  });

  it('an existing local step branch is refused unless replaced; other uncommitted edits come along untouched', async () => {
    const { dir } = setup();
    const ops = await CliGitOps.open(dir);
    writeFileSync(join(dir, 'notes.txt'), 'my own edit\n');
    const b = await ops.startBranch({ remote: 'origin', base: 'main', branch: 'mlctl/fraud/1-canary-5' });
    writeFileSync(join(dir, 'deploy/vs.yaml'), 'weight: 5\n');
    await ops.commit({ files: ['deploy/vs.yaml'], message: 'half-done step', trailers: TRAILERS });
    await ops.returnTo(b.previous);
    await expect(ops.startBranch({ remote: 'origin', base: 'main', branch: b.branch })).rejects.toThrow(
      /branch mlctl\/fraud\/1-canary-5 already exists .*git branch -D mlctl\/fraud\/1-canary-5/,
    );
    expect(await ops.currentBranch()).toBe('main');
    const again = await ops.startBranch({ remote: 'origin', base: 'main', branch: b.branch, replace: true });
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(again.baseSha);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('my own edit\n');
    await ops.returnTo('main');
    expect(status(dir)).toBe('M notes.txt');
  });

  it('refuses to start a branch over an uncommitted serving file that the base changed, and a bad branch name', async () => {
    const { dir, pushFromElsewhere } = setup();
    pushFromElsewhere('main', { 'deploy/vs.yaml': 'kind: VirtualService\nweight: 1\n' }, 'hand edit upstream');
    const ops = await CliGitOps.open(dir);
    writeFileSync(join(dir, 'deploy/vs.yaml'), 'local edit\n');
    await expect(ops.startBranch({ remote: 'origin', base: 'main', branch: 'mlctl/fraud/1-canary-5' })).rejects.toThrow(
      /cannot create branch mlctl\/fraud\/1-canary-5 from origin\/main: .*would be overwritten/,
    );
    expect(await ops.currentBranch()).toBe('main');
    expect(readFileSync(join(dir, 'deploy/vs.yaml'), 'utf8')).toBe('local edit\n');
    await expect(ops.startBranch({ remote: 'origin', base: 'main', branch: 'mlctl/fraud/a..b' })).rejects.toThrow(
      /is not a valid git branch name/,
    );
    await expect(ops.startBranch({ remote: 'origin', base: 'nope', branch: 'mlctl/x' })).rejects.toThrow(
      /cannot fetch nope from origin/,
    );
  });

  it('rebases a pushed branch onto a base that moved on, in its own worktree, and pushes it with a lease', async () => {
    const { dir, remote, pushFromElsewhere } = setup();
    const ops = await CliGitOps.open(dir);
    const b = await ops.startBranch({ remote: 'origin', base: 'main', branch: 'mlctl/fraud/1-canary-5' });
    writeFileSync(join(dir, 'deploy/vs.yaml'), 'kind: VirtualService\nweight: 5\n');
    await ops.commit({ files: ['deploy/vs.yaml'], message: 'canary', trailers: TRAILERS });
    await ops.pushBranch('origin', b.branch);
    await ops.returnTo(b.previous);
    await ops.deleteBranch(b.branch);

    expect(await ops.rebaseBranch({ remote: 'origin', base: 'main', branch: b.branch })).toMatchObject({
      ok: true,
      moved: false,
    });
    const moved = pushFromElsewhere('main', { 'other.txt': 'unrelated\n' }, 'someone merged something else');
    writeFileSync(join(dir, 'notes.txt'), 'dirty, and staying so\n');
    const r = await ops.rebaseBranch({ remote: 'origin', base: 'main', branch: b.branch });
    if (!r.ok) throw new Error(`unexpected conflict in ${r.conflicts.join(', ')}`);
    expect(r).toMatchObject({ moved: true, baseSha: moved, oldSha: git(remote, 'rev-parse', b.branch) });
    expect(git(dir, 'rev-parse', `${r.sha}~1`)).toBe(moved);
    expect(git(dir, 'log', '-1', '--format=%(trailers:key=Mlctl-Rollout,valueonly)', r.sha)).toBe('1');
    expect(git(dir, 'rev-parse', b.branch)).toBe(r.sha);
    expect(await ops.currentBranch()).toBe('main');
    expect(status(dir)).toBe('M notes.txt');
    expect(git(dir, 'worktree', 'list').split('\n')).toHaveLength(1);

    // Someone pushed to the branch after it was fetched: the lease protects their commit.
    const theirs = pushFromElsewhere(b.branch, { 'review.txt': 'a reviewer fixed something\n' }, 'review fix');
    const stale = await ops.pushBranch('origin', b.branch, { lease: r.oldSha });
    expect(stale.ok).toBe(false);
    expect(git(remote, 'rev-parse', b.branch)).toBe(theirs);
    // Without a lease a push that is no fast-forward is refused too.
    expect((await ops.pushBranch('origin', b.branch)).ok).toBe(false);

    const again = await ops.rebaseBranch({ remote: 'origin', base: 'main', branch: b.branch });
    if (!again.ok) throw new Error('unexpected conflict');
    expect(await ops.pushBranch('origin', b.branch, { lease: again.oldSha })).toEqual({ ok: true });
    expect(git(remote, 'rev-parse', b.branch)).toBe(again.sha);
    expect(git(remote, 'rev-parse', 'main')).toBe(moved);
    await ops.deleteBranch(b.branch);
  });

  it('a conflict on the serving file is reported with its file, never resolved or forced', async () => {
    const { dir, remote, pushFromElsewhere } = setup();
    const ops = await CliGitOps.open(dir);
    const b = await ops.startBranch({ remote: 'origin', base: 'main', branch: 'mlctl/fraud/1-canary-5' });
    writeFileSync(join(dir, 'deploy/vs.yaml'), 'kind: VirtualService\nweight: 5\n');
    await ops.commit({ files: ['deploy/vs.yaml'], message: 'canary', trailers: TRAILERS });
    await ops.pushBranch('origin', b.branch);
    await ops.returnTo(b.previous);
    await ops.deleteBranch(b.branch);
    const before = git(remote, 'rev-parse', b.branch);
    const main = pushFromElsewhere('main', { 'deploy/vs.yaml': 'kind: VirtualService\nweight: 7\n' }, 'hand edit');

    const r = await ops.rebaseBranch({ remote: 'origin', base: 'main', branch: b.branch });
    expect(r).toEqual({ ok: false, conflicts: ['deploy/vs.yaml'], oldSha: before, baseSha: main });
    expect(git(remote, 'rev-parse', b.branch)).toBe(before);
    expect(git(remote, 'rev-parse', 'main')).toBe(main);
    expect(git(dir, 'branch', '--list', 'mlctl/*')).toBe('');
    expect(await ops.currentBranch()).toBe('main');
    expect(status(dir)).toBe('');
    expect(git(dir, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('returns to a detached HEAD too, and deletes only mlctl branches that are not checked out', async () => {
    const { dir } = setup();
    const ops = await CliGitOps.open(dir);
    const head = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'checkout', '-q', '--detach', head);
    expect(await ops.currentBranch()).toBeNull();
    const b = await ops.startBranch({ remote: 'origin', base: 'main', branch: 'mlctl/fraud/2-full' });
    expect(b.previous).toBe(head);
    await expect(ops.deleteBranch(b.branch)).rejects.toThrow(/while it is checked out/);
    await expect(ops.deleteBranch('main')).rejects.toThrow(/not an mlctl\/ branch/);
    await ops.returnTo(b.previous);
    expect([await ops.currentBranch(), git(dir, 'rev-parse', 'HEAD')]).toEqual([null, head]);
    await ops.deleteBranch(b.branch);
  });

  it('the whole life of a pull-request step: branch, push, open, merged by the host; the next step starts from the merge', async () => {
    const { dir, remote } = setup();
    const gh = await startFakeGitHub({ repository: 'acme/deploy', remote, token: 't0ken' });
    try {
      const ops = await CliGitOps.open(dir);
      const prs = GitHubPullRequests.fromEnv({
        env: { GITHUB_API_URL: gh.apiUrl, GITHUB_TOKEN: 't0ken' },
        repository: 'acme/deploy',
        remoteUrl: await ops.remoteUrl('origin'),
      });
      const b = await ops.startBranch({ remote: 'origin', base: 'main', branch: 'mlctl/fraud/1-canary-5' });
      writeFileSync(join(dir, 'deploy/vs.yaml'), 'kind: VirtualService\nweight: 5\n');
      await ops.commit({ files: ['deploy/vs.yaml'], message: 'mlctl: fraud@2 canary 5%', trailers: TRAILERS });
      expect(await ops.pushBranch('origin', b.branch)).toEqual({ ok: true });
      const { pullRequest } = await prs.open({
        base: b.base,
        head: b.branch,
        title: 'mlctl: fraud@2 canary 5%',
        body: 'evidence',
        labels: [],
        reviewers: [],
        teamReviewers: [],
        draft: false,
      });
      await ops.returnTo(b.previous);
      await ops.deleteBranch(b.branch);
      expect((await prs.get(pullRequest.number)).state).toBe('open');
      const merged = gh.merge(pullRequest.number);
      expect(await prs.get(pullRequest.number)).toMatchObject({ state: 'merged', mergeCommit: merged });
      const next = await ops.startBranch({ remote: 'origin', base: 'main', branch: 'mlctl/fraud/1-ramp-25' });
      expect(next.baseSha).toBe(merged);
      expect(readFileSync(join(dir, 'deploy/vs.yaml'), 'utf8')).toContain('weight: 5');
      await ops.returnTo(next.previous);
      await ops.deleteBranch(next.branch);
      expect(gh.violations).toEqual([]);
    } finally {
      await gh.stop();
    }
  });
});
