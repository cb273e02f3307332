import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run, withRegistry } from '../support/helpers.js';
import { git, gitopsProject, type GitopsProject } from '../support/gitops-project.js';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js';
import { GitHubPullRequests } from '../../src/adapters/github/pull-requests.js';
import type { Deps } from '../../src/cli/deps.js';

/*
 * Rollouts whose steps are pull requests (ADR 25), end to end: a real GitOps clone with a real bare
 * remote, and a FAKE GitHub API standing in for github.com (which cannot be reached from here). The
 * fake follows GitHub's published OpenAPI description (@octokit/openapi): it validates every request
 * mlctl sends against it and answers from its schemas; `violations` lists anything that does not
 * fit, and every test ends by checking that list is empty. Its pull requests live over the bare
 * remote, and merging is a real merge there: the base branch changes only through merges.
 */

const TOKEN = 'ghs_prModeSecretToken77';
const T0 = Date.parse('2026-11-23T10:00:00Z');
const iso = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const CONFIG = `git:
  mode: pull-request
  pullRequest: { labels: [mlctl], reviewers: [alice] }
serving:
  fraud: { adapter: istio, files: [deploy/fraud.yaml], plan: quick }
rollout:
  plans:
    quick:
      - { stage: shadow, mirror: 50, minDuration: 30m, checks: [ok] }
      - { stage: canary, weight: 10, minDuration: 30m }
      - { stage: full }
  checks:
    ok: { command: 'cat check-value.json', max: 0.01 }
`;

interface PrProject extends GitopsProject {
  gh: FakeGitHub;
  /** The fake's clock (merged_at, closed_at) and mlctl's (MLCTL_NOW), in minutes after T0. */
  now: number;
  mlctl(args: string[], minutes: number, extra?: Record<string, string>): ReturnType<typeof run>;
  /** The base branch on the remote (GitHub's copy). */
  main(): string;
  /** Everything printed so far (the token must never be in it). */
  printed: string[];
}

let open: PrProject[] = [];
afterEach(async () => {
  for (const p of open) {
    expect(p.gh.violations).toEqual([]);
    await p.gh.stop();
  }
  open = [];
});

/** Retries of 5xx answers without waiting (the client's backoff, made short; everything else real). */
const quickRetries = (env: Record<string, string>): Partial<Deps> => ({
  pullRequests: async (o) => GitHubPullRequests.fromEnv({ env, ...o, backoffMs: 1, sleep: async () => {} }),
});

async function prProject(config = CONFIG): Promise<PrProject> {
  const p = await gitopsProject({ adapter: 'istio', config });
  writeFileSync(join(p.dir, 'check-value.json'), '{"value": 0.002}\n');
  const self = {} as PrProject;
  const gh = await startFakeGitHub({
    repository: 'acme/deploy',
    remote: p.remote,
    token: TOKEN,
    collaborators: ['alice'],
    now: () => new Date(T0 + self.now * 60_000),
  });
  const env = {
    GITHUB_API_URL: gh.apiUrl,
    GITHUB_SERVER_URL: gh.serverUrl,
    GITHUB_REPOSITORY: 'acme/deploy',
    GITHUB_TOKEN: TOKEN,
  };
  Object.assign(self, p, {
    gh,
    now: 0,
    printed: [],
    main: () => git(p.remote, 'rev-parse', 'refs/heads/main'),
    async mlctl(args: string[], minutes: number, extra: Record<string, string> = {}) {
      self.now = minutes;
      const e = { ...env, MLCTL_NOW: iso(minutes), ...extra };
      const r = await run(args, { cwd: p.dir, env: e, deps: quickRetries(e) });
      self.printed.push(r.stdout, r.stderr);
      return r;
    },
  });
  open.push(self);
  return self;
}

// any: the --json envelopes' data, read field by field like a script would.
const json = (s: string) => JSON.parse(s) as { ok: boolean; data: any; warnings: string[]; errors: unknown[] };

async function ok(p: PrProject, args: string[], minutes: number) {
  const r = await p.mlctl([...args, '--json'], minutes);
  expect(r.code, r.stderr).toBe(0);
  return json(r.stdout);
}

/** merge pull request `n` at `minutes` (a real merge in the bare remote). */
function merge(p: PrProject, n: number, minutes: number, method: 'merge' | 'squash' = 'merge'): string {
  p.now = minutes;
  return p.gh.merge(n, method);
}

/** fraud@1 champion through its own merged pull request. */
async function withChampion(p: PrProject) {
  const first = await ok(p, ['promote', 'fraud@1', '--yes'], 0);
  expect(first.data).toMatchObject({ action: 'promote', state: 'pending', pull_request: { number: 1 } });
  merge(p, 1, 1);
  const tick = await ok(p, ['rollout', 'tick'], 2);
  expect(tick.data[0]).toMatchObject({ action: 'merged', pull_request: { number: 1, state: 'merged' } });
}

/** fraud@2's rollout started and merged at minute 10: shadow. */
async function started(p: PrProject) {
  await withChampion(p);
  const start = await ok(p, ['promote', 'fraud@2', '--force', '--reason', 'no gate in this test'], 3);
  merge(p, start.data.pull_request.number, 10);
  await ok(p, ['rollout', 'tick'], 11);
  return start.data;
}

/** A pull request of someone else's, opened with the API and merged: how the base moves on. */
async function mergeOtherChange(p: PrProject, files: Record<string, string>, minutes: number): Promise<number> {
  const branch = `people/change-${minutes}`;
  const other = join(p.dir, '..', `${p.dir.split('/').pop()}-other`);
  git(p.dir, 'worktree', 'add', '-q', '--detach', other, 'origin/main');
  git(other, 'fetch', '-q', 'origin', 'main');
  git(other, 'checkout', '-q', '-B', branch, 'FETCH_HEAD');
  for (const [f, c] of Object.entries(files)) writeFileSync(join(other, f), c);
  git(other, 'add', '-A');
  git(
    other,
    '-c',
    'user.email=people@example.com',
    '-c',
    'user.name=People',
    'commit',
    '-qm',
    `people: edit ${Object.keys(files).join(', ')}`,
  );
  git(other, 'push', '-q', 'origin', branch);
  git(p.dir, 'worktree', 'remove', '--force', other);
  const client = GitHubPullRequests.fromEnv({
    env: { GITHUB_API_URL: p.gh.apiUrl, GITHUB_REPOSITORY: 'acme/deploy', GITHUB_TOKEN: TOKEN },
  });
  const opened = await client.open({
    base: 'main',
    head: branch,
    title: 'people: a change of their own',
    body: '',
    labels: [],
    reviewers: [],
    teamReviewers: [],
    draft: false,
  });
  merge(p, opened.pullRequest.number, minutes);
  return opened.pullRequest.number;
}

const remoteFile = (p: PrProject, ref: string, path: string) => git(p.remote, 'show', `${ref}:${path}`);

function tokenNowhere(p: PrProject) {
  for (const s of p.printed) expect(s).not.toContain(TOKEN);
  expect(readFileSync(join(p.dir, '.git/config'), 'utf8')).not.toContain(TOKEN);
  for (const f of readdirSync(join(p.dir, '.mlctl')).filter((f) => f.startsWith('registry')))
    expect(readFileSync(join(p.dir, '.mlctl', f)).includes(TOKEN)).toBe(false);
  expect(git(p.dir, 'log', '--all', '--format=%B')).not.toContain(TOKEN);
}

describe('rollouts through pull requests (fake GitHub following its OpenAPI description, real bare remote)', () => {
  it('a full rollout where every step is a pull request the test merges; the base changes only through merges', async () => {
    const p = await prProject();
    const initial = p.main();
    const first = await ok(p, ['promote', 'fraud@1', '--yes'], 0);
    expect(first.data).toMatchObject({
      action: 'promote',
      state: 'pending',
      branch: expect.stringMatching(/^mlctl\/fraud\/[0-9a-f]{12}-full$/),
      base: 'main',
      pull_request: { number: 1, state: 'open', created: true, url: `${p.gh.serverUrl}/acme/deploy/pull/1` },
    });
    // Nothing reached the base branch, and the clone is back on main, clean, without the step's branch.
    expect(p.main()).toBe(initial);
    expect(git(p.dir, 'branch', '--show-current')).toBe('main');
    expect(git(p.dir, 'status', '--porcelain')).toBe('');
    expect(git(p.dir, 'branch', '--list', 'mlctl/*')).toBe('');
    const pr1 = p.gh.pull(1);
    expect(pr1).toMatchObject({ base: 'main', labels: ['mlctl'], reviewers: ['alice'], draft: false });
    expect(pr1.title).toBe('mlctl: fraud@1 full (champion)');
    expect(pr1.body).toContain('<!-- mlctl-step');
    expect(pr1.body).toContain('docs/adr/0002-promote-fraud-1-to-production.md');
    // Not the champion until merged; promote says what it waits for.
    expect((await p.mlctl(['show', 'fraud@champion'], 0)).code).toBe(2);
    const waiting = await p.mlctl(['promote', 'fraud@1', '--yes'], 0);
    expect(waiting.code, waiting.stderr).toBe(0);
    expect(waiting.stdout).toBe(
      `fraud: the promotion of fraud@1 is waiting for review of pull request #1 (${p.gh.serverUrl}/acme/deploy/pull/1)\n`,
    );

    const m1 = merge(p, 1, 1);
    const t1 = await ok(p, ['rollout', 'tick'], 2);
    expect(t1.data).toEqual([
      expect.objectContaining({
        action: 'merged',
        commit: m1,
        pull_request: expect.objectContaining({ state: 'merged' }),
      }),
    ]);
    expect((await ok(p, ['show', 'fraud@champion'], 2)).data.version).toBe(1);

    // The rollout's start: the row exists while its pull request waits; its stage starts at the merge.
    const start = await ok(p, ['promote', 'fraud@2', '--force', '--reason', 'no gate in this test'], 3);
    expect(start.data).toMatchObject({ action: 'start', pull_request: { number: 2 }, stage: 'shadow (mirror 50%)' });
    expect(p.gh.pull(2).title).toBe('mlctl: fraud@2 shadow (mirror 50%)');
    const status = await ok(p, ['rollout', 'status', 'fraud'], 4);
    expect(status.data[0]).toMatchObject({
      state: 'active',
      waiting_for: 'the start at shadow (mirror 50%)',
      pending: expect.objectContaining({ kind: 'pull_request', number: 2 }),
      pull_request: { number: 2, url: `${p.gh.serverUrl}/acme/deploy/pull/2`, state: 'open' },
    });
    const table = await p.mlctl(['rollout', 'status', 'fraud'], 4);
    expect(table.stdout).toContain('the start at shadow (mirror 50%): PR #2 open');
    const idle = await ok(p, ['rollout', 'tick'], 5);
    expect(idle.data).toEqual([
      expect.objectContaining({
        action: 'pending',
        pull_request: expect.objectContaining({ number: 2, state: 'open' }),
      }),
    ]);
    expect(idle.data[0].detail).toMatch(/waiting for review of pull request #2/);

    const m2 = merge(p, 2, 10);
    await ok(p, ['rollout', 'tick'], 11);
    const shadow = (await ok(p, ['rollout', 'status', 'fraud'], 12)).data[0];
    expect(shadow).toMatchObject({
      stage: 'shadow (mirror 50%)',
      stageSince: iso(10),
      lastCommit: m2,
      pull_request: null,
    });
    // The bake time counts from the merge (minute 10), not from the pull request's opening (minute 3).
    const early = await p.mlctl(['promote', 'fraud@2'], 35);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/needs 30m before the next stage; 5m left \(since 2026-11-23T10:10:00.000Z\)/);
    await ok(p, ['rollout', 'status', 'fraud'], 41); // a look confirming the bake time (ADR 26)
    const canary = await ok(p, ['promote', 'fraud@2'], 42);
    expect(canary.data).toMatchObject({ action: 'advance', stage: 'canary 10%', pull_request: { number: 3 } });
    expect(p.gh.pull(3).body).toContain('### Live checks');
    merge(p, 3, 45);
    await ok(p, ['rollout', 'tick'], 46);
    await ok(p, ['rollout', 'status', 'fraud'], 80);
    const full = await ok(p, ['promote', 'fraud@2', '--yes'], 81);
    expect(full.data).toMatchObject({ action: 'complete', stage: 'full', pull_request: { number: 4 } });
    const m4 = merge(p, 4, 85, 'squash');
    const done = await ok(p, ['rollout', 'tick'], 86);
    expect(done.data[0]).toMatchObject({ action: 'merged', commit: m4 });
    expect((await ok(p, ['show', 'fraud@champion'], 87)).data.version).toBe(2);
    const last = (await ok(p, ['rollout', 'status', 'fraud'], 87)).data[0];
    expect(last).toMatchObject({ state: 'completed', lastCommit: m4 });

    // Every change of the base branch is a merge of one of the four pull requests.
    expect(git(p.remote, 'log', '--first-parent', '--format=%s', 'main').split('\n')).toEqual([
      'mlctl: fraud@2 full (champion) (#4)',
      `Merge pull request #3 from acme/${p.gh.pull(3).head}`,
      `Merge pull request #2 from acme/${p.gh.pull(2).head}`,
      `Merge pull request #1 from acme/${p.gh.pull(1).head}`,
      'initial',
    ]);
    // The serving file on the base says full traffic to fraud@2; the ADR logs each stage and is accepted.
    expect(remoteFile(p, 'main', 'deploy/fraud.yaml')).toMatch(/model-version: "2"/);
    const adr = remoteFile(p, 'main', 'docs/adr/0003-promote-fraud-2-to-production.md');
    expect(adr).toMatch(/## Status\n\nAccepted\n/);
    expect(adr).toMatch(/shadow \(mirror 50%\) → canary 10% by .* \(pull request\)/);
    // The audit log has the merges, with their commits.
    const merged = await withRegistry(p.dir, (r) => r.events({ action: 'step.merged' }));
    expect(merged.map((e) => (e.payload as { commit: string }).commit)).toEqual([m4, expect.any(String), m2, m1]);
    tokenNowhere(p);
  }, 120_000);

  it('a pull request closed without merging cancels its step: the rollout stays, the ADR line follows in the next one', async () => {
    const p = await prProject();
    await started(p);
    await ok(p, ['rollout', 'status', 'fraud'], 41);
    const canary = await ok(p, ['promote', 'fraud@2'], 42);
    p.now = 43;
    p.gh.close(canary.data.pull_request.number);
    const t = await ok(p, ['rollout', 'tick'], 44);
    expect(t.data[0]).toMatchObject({ action: 'cancelled', pull_request: { state: 'closed' } });
    expect(t.data[0].detail).toBe(
      `pull request #${canary.data.pull_request.number} was closed without merging: the step to canary 10% was cancelled; the rollout stays at shadow (mirror 50%)`,
    );
    const s = (await ok(p, ['rollout', 'status', 'fraud'], 45)).data[0];
    expect(s).toMatchObject({ state: 'active', stage: 'shadow (mirror 50%)', pull_request: null });
    const cancel = await withRegistry(p.dir, (r) => r.events({ action: 'step.cancel' }));
    expect(cancel).toHaveLength(1);
    // The next pull request carries the ADR line of the cancellation (mlctl cannot push to the base).
    const again = await ok(p, ['promote', 'fraud@2'], 46);
    const adr = remoteFile(p, again.data.branch, 'docs/adr/0003-promote-fraud-2-to-production.md');
    expect(adr).toContain(
      `the step to canary 10% was cancelled: pull request #${canary.data.pull_request.number} was closed without merging`,
    );

    // A start closed unmerged ends its rollout, which never served.
    const q = await prProject();
    await withChampion(q);
    const start = await ok(q, ['promote', 'fraud@2', '--force', '--reason', 'try'], 3);
    q.gh.close(start.data.pull_request.number);
    const cancelled = await ok(q, ['promote', 'fraud@2', '--force', '--reason', 'try'], 4);
    expect(cancelled.data[0]).toMatchObject({ outcome: 'cancelled' });
    const r = (await ok(q, ['rollout', 'status', 'fraud'], 5)).data[0];
    expect(r).toMatchObject({
      state: 'aborted',
      outcome: expect.stringMatching(/^cancelled: pull request #2 was closed/),
    });
    expect((await ok(q, ['show', 'fraud@2'], 5)).data.status).not.toBe('staging');
  }, 120_000);

  it('a base that moved on: the branch is rebased (with a lease); a conflicting edit of the serving file is reported, never forced', async () => {
    const p = await prProject();
    await started(p);
    await ok(p, ['rollout', 'status', 'fraud'], 41);
    const canary = await ok(p, ['promote', 'fraud@2'], 42);
    const n = canary.data.pull_request.number;
    await mergeOtherChange(p, { 'OPERATIONS.md': 'changed by people\n' }, 43);
    const t = await ok(p, ['rollout', 'tick'], 44);
    expect(t.data[0]).toMatchObject({ action: 'pending', pull_request: { number: n, state: 'open' } });
    expect(t.data[0].detail).toMatch(/main moved on, so its branch was rebased onto it/);
    const head = git(p.remote, 'rev-parse', `refs/heads/${canary.data.branch}`);
    expect(git(p.remote, 'merge-base', head, 'main')).toBe(p.main());
    expect(git(p.dir, 'branch', '--list', 'mlctl/*')).toBe('');
    // Up to date now: the next tick has nothing to do.
    const idle = await ok(p, ['rollout', 'tick'], 45);
    expect(idle.data[0].detail).toMatch(/^the step to canary 10% is waiting for review of pull request #\d+/);
    merge(p, n, 46);
    const landed = await ok(p, ['rollout', 'tick'], 47);
    expect(landed.data[0]).toMatchObject({ action: 'merged' });
    expect(remoteFile(p, 'main', 'OPERATIONS.md')).toBe('changed by people');

    // Someone edits the serving file by hand while the next step waits: a conflict.
    await ok(p, ['rollout', 'status', 'fraud'], 80);
    const full = await ok(p, ['promote', 'fraud@2', '--yes'], 81);
    const before = git(p.remote, 'rev-parse', `refs/heads/${full.data.branch}`);
    const served = remoteFile(p, 'main', 'deploy/fraud.yaml');
    await mergeOtherChange(
      p,
      { 'deploy/fraud.yaml': served.replace(/weight: 90/, 'weight: 80').replace(/weight: 10/, 'weight: 20') + '\n' },
      82,
    );
    const c = await p.mlctl(['rollout', 'tick', '--json'], 83);
    expect(c.code, c.stderr).toBe(0);
    const report = json(c.stdout);
    expect(report.data[0]).toMatchObject({ action: 'pending' });
    expect(report.data[0].detail).toMatch(
      new RegExp(
        `^pull request #${full.data.pull_request.number} conflicts with main in deploy/fraud.yaml .*mlctl does not force it$`,
      ),
    );
    expect(report.warnings.join('\n')).toMatch(/conflicts with main in deploy\/fraud.yaml/);
    expect(git(p.remote, 'rev-parse', `refs/heads/${full.data.branch}`)).toBe(before);
    const still = (await ok(p, ['rollout', 'status', 'fraud'], 84)).data[0];
    expect(still).toMatchObject({ stage: 'canary 10%', pull_request: { number: full.data.pull_request.number } });
    tokenNowhere(p);
  }, 120_000);

  it('aborts and rollbacks are urgent pull requests; an abort supersedes the step waiting for review; rollback.mode: commit pushes directly', async () => {
    const p = await prProject();
    await started(p);
    await ok(p, ['rollout', 'status', 'fraud'], 41);
    const canary = await ok(p, ['promote', 'fraud@2'], 42);
    const abort = await ok(p, ['rollback', 'fraud', '--reason', 'p99 latency', '--yes'], 43);
    expect(abort.data).toMatchObject({ action: 'abort', urgent: true, superseded: canary.data.pull_request.number });
    const superseded = p.gh.pull(canary.data.pull_request.number);
    expect(superseded.state).toBe('closed');
    expect(superseded.comments[0]).toMatch(/^Superseded: mlctl is aborting this rollout \(p99 latency\)/);
    const urgent = p.gh.pull(abort.data.pull_request.number);
    expect(urgent.title).toBe('[urgent] mlctl: abort fraud@2 rollout at shadow (mirror 50%)');
    expect(urgent.body).toContain('> [!CAUTION]');
    // A second rollback finds the same urgent pull request.
    const again = await ok(p, ['rollback', 'fraud', '--yes'], 44);
    expect(again.data).toMatchObject({ pull_request: { number: abort.data.pull_request.number, created: false } });
    merge(p, abort.data.pull_request.number, 45);
    const t = await ok(p, ['rollout', 'tick'], 46);
    expect(t.data[0]).toMatchObject({ action: 'merged' });
    expect((await ok(p, ['rollout', 'status', 'fraud'], 47)).data[0]).toMatchObject({
      state: 'aborted',
      outcome: 'p99 latency',
    });
    expect(remoteFile(p, 'main', 'deploy/fraud.yaml')).not.toMatch(/model-version: "2"/);
    tokenNowhere(p);
  }, 120_000);

  it('a champion rolled back outside a rollout waits in the audit log for its urgent pull request', async () => {
    // A plan of only full: the start's pull request completes the rollout when merged.
    const p = await prProject(
      CONFIG.replace('plan: quick', 'plan: direct').replace('plans:\n', 'plans:\n    direct: [{ stage: full }]\n'),
    );
    await withChampion(p);
    const start = await ok(p, ['promote', 'fraud@2', '--force', '--reason', 'hotfix', '--yes'], 3);
    expect(start.data).toMatchObject({ action: 'start', stage: 'full' });
    merge(p, start.data.pull_request.number, 4);
    await ok(p, ['rollout', 'tick'], 5);
    expect((await ok(p, ['show', 'fraud@champion'], 5)).data.version).toBe(2);
    const rb = await ok(p, ['rollback', 'fraud', '--reason', 'errors', '--yes'], 6);
    expect(rb.data).toMatchObject({ action: 'rollback', urgent: true, stage: 'rollback to fraud@1', rollout: null });
    expect(p.gh.pull(rb.data.pull_request.number).title).toBe('[urgent] mlctl: roll back fraud to @1');
    const waiting = await ok(p, ['rollback', 'fraud', '--yes'], 7);
    expect(waiting.data).toMatchObject({ outcome: 'waiting', pull_request: { number: rb.data.pull_request.number } });
    const m = merge(p, rb.data.pull_request.number, 8);
    const t = await ok(p, ['rollout', 'tick'], 9);
    expect(t.data[0]).toMatchObject({ action: 'merged', commit: m });
    expect((await ok(p, ['show', 'fraud@champion'], 9)).data.version).toBe(1);
    const ev = await withRegistry(p.dir, (r) => r.events({ action: 'rollback' }));
    expect(ev[0]!.payload).toMatchObject({ from: 2, to: 1, commit: m, pullRequest: rb.data.pull_request.number });
  }, 120_000);

  it('rollback.mode: commit supersedes the pending step and pushes the abort straight to the base', async () => {
    const p = await prProject(`rollback: { mode: commit }\n${CONFIG}`);
    await started(p);
    await ok(p, ['rollout', 'status', 'fraud'], 41);
    const canary = await ok(p, ['promote', 'fraud@2'], 42);
    git(p.dir, 'pull', '-q', '--ff-only', 'origin', 'main'); // as a fresh CI checkout would be
    const abort = await ok(p, ['rollback', 'fraud', '--reason', 'errors', '--yes'], 43);
    expect(abort.data).toMatchObject({ action: 'abort', state: 'aborted', pushed: true });
    expect(p.main()).toBe(abort.data.commit);
    expect(p.gh.pull(canary.data.pull_request.number).state).toBe('closed');
    expect(p.gh.pull(canary.data.pull_request.number).comments[0]).toMatch(/with a commit on the base branch/);
    tokenNowhere(p);
  }, 120_000);

  it('API errors: 401/403 exit 4, 422/5xx exit 3, one clear line, nothing half-done, the token never shown', async () => {
    const p = await prProject();
    await withChampion(p);
    const main = p.main();
    const nothingLeft = async () => {
      // fraud@1's merged branch stays (as on GitHub); no branch of the failed attempts does.
      expect(git(p.remote, 'for-each-ref', '--format=%(refname)', 'refs/heads/mlctl/')).toMatch(
        /^refs\/heads\/mlctl\/fraud\/[0-9a-f]{12}-full$/,
      );
      expect(git(p.dir, 'branch', '--list', 'mlctl/*')).toBe('');
      expect(git(p.dir, 'branch', '--show-current')).toBe('main');
      expect(git(p.dir, 'status', '--porcelain')).toBe('');
      expect(p.main()).toBe(main);
      const s = await ok(p, ['rollout', 'status', 'fraud'], 3);
      expect(s.data).toEqual([]);
      const opened = await withRegistry(p.dir, (r) => r.events({ action: 'step.pull_request' }));
      expect(opened).toHaveLength(1); // fraud@1's only
    };
    const cases: Array<[string, Parameters<FakeGitHub['failNext']>[0], number, RegExp]> = [
      ['401', { status: 401 }, 4, /GitHub rejected the token \(401/],
      ['403', { status: 403 }, 4, /the token is not allowed to \(403/],
      [
        '422',
        { status: 422, errors: [{ resource: 'PullRequest', field: 'base', code: 'invalid' }] },
        3,
        /GitHub refused it: base/,
      ],
      ['5xx', { status: 502, times: 4 }, 3, /502/],
    ];
    for (const [name, failure, exit, message] of cases) {
      p.gh.failNext({ method: 'POST', path: /\/pulls$/, ...failure });
      const r = await p.mlctl(['promote', 'fraud@2', '--force', '--reason', `api ${name}`], 3);
      expect(r.code, `${name}: ${r.stderr}`).toBe(exit);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines, name).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(lines[0]).toMatch(
        / — nothing was recorded and branch mlctl\/fraud\/[0-9a-f]{12}-shadow-50 was deleted from origin again; run the command again$/,
      );
      await nothingLeft();
    }
    // No token: refused before anything is made.
    const bare = await p.mlctl(['promote', 'fraud@2', '--force', '--reason', 'no token'], 3, { GITHUB_TOKEN: '' });
    expect(bare.code).toBe(4);
    expect(bare.stderr.trim()).toMatch(/^mlctl: no GitHub token: set GITHUB_TOKEN/);
    await nothingLeft();
    // The host failing while a step waits: tick says so (exit 4), and the step stays pending.
    const start = await ok(p, ['promote', 'fraud@2', '--force', '--reason', 'works'], 4);
    p.gh.failNext({ method: 'GET', path: /\/pulls\/\d+$/, status: 401 });
    const t = await p.mlctl(['rollout', 'tick'], 5);
    expect(t.code).toBe(4);
    expect(t.stderr.trim().split('\n')).toHaveLength(1);
    const s = await ok(p, ['rollout', 'status', 'fraud'], 6);
    expect(s.data[0].pull_request).toEqual({
      number: start.data.pull_request.number,
      url: start.data.pull_request.url,
      state: 'open',
    });
    tokenNowhere(p);
  }, 120_000);

  it("--pr beats git.mode: commit in mlctl.yaml (a command's flag beats the file)", async () => {
    const p = await prProject(CONFIG.replace(/^git:\n {2}mode: pull-request\n/, 'git:\n  mode: commit\n'));
    const main = p.main();
    const direct = await ok(p, ['promote', 'fraud@1', '--yes', '--pr'], 0);
    expect(direct.data).toMatchObject({ state: 'pending', pull_request: { number: 1 } });
    expect(p.main()).toBe(main);
    expect(git(p.dir, 'log', '-1', '--format=%s')).toBe('initial');
    const noCommit = await p.mlctl(['rollout', 'tick', '--pr', '--no-commit'], 1);
    expect(noCommit.code).toBe(2);
    expect(noCommit.stderr.trim()).toBe(
      "mlctl: --no-commit cannot go with --pr: a pull request carries the step's commit; leave one of them out",
    );
  }, 60_000);
});
