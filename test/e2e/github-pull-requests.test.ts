import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitHubPullRequests } from '../../src/adapters/github/pull-requests.js';
import {
  AuthError,
  MlctlError,
  NotFoundError,
  RateLimitError,
  StorageError,
  UsageError,
} from '../../src/core/errors.js';
import type { PullRequestDraft } from '../../src/ports/pull-requests.js';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js';
import { git, repoWithRemote, type RepoWithRemote } from '../support/bare-remote.js';

const TOKEN = 'ghs_secretTokenValue42';
let repo: RepoWithRemote;
let gh: FakeGitHub;
let n = 0;

beforeAll(async () => {
  repo = repoWithRemote();
  gh = await startFakeGitHub({
    repository: 'acme/deploy',
    remote: repo.remote,
    token: TOKEN,
    collaborators: ['alice'],
    teams: ['ml-platform'],
  });
}, 60_000);
afterAll(async () => {
  await gh.stop();
  repo.cleanup();
});
afterEach(() => expect(gh.violations).toEqual([]));

const env = (extra: Record<string, string> = {}) => ({
  GITHUB_API_URL: gh.apiUrl,
  GITHUB_SERVER_URL: gh.serverUrl,
  GITHUB_REPOSITORY: 'acme/deploy',
  GITHUB_TOKEN: TOKEN,
  ...extra,
});
const client = (extra: Record<string, string> = {}) =>
  GitHubPullRequests.fromEnv({ env: env(extra), backoffMs: 1, sleep: async () => {} });

/** A pushed branch with one change, and the draft of its pull request. */
function branch(draft: Partial<PullRequestDraft> = {}): PullRequestDraft {
  const head = `mlctl/fraud/${++n}-canary-5`;
  repo.pushFromElsewhere(head, { [`deploy/step-${n}.yaml`]: `weight: ${n}\n` }, `step ${n}`);
  return {
    base: 'main',
    head,
    title: `mlctl: fraud@2 canary 5% (${n})`,
    body: '## Evidence\n',
    labels: [],
    reviewers: [],
    teamReviewers: [],
    draft: false,
    ...draft,
  };
}

async function thrown(p: Promise<unknown>): Promise<MlctlError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof MlctlError)) throw new Error(`expected an MlctlError, got ${String(err)}`);
  expect(err.message).not.toContain(TOKEN);
  return err;
}

describe('GitHub pull requests through the REST API (fake GitHub over a real bare remote)', () => {
  it('opens a pull request with labels and reviewers, and a second open finds the same one', async () => {
    const pr = client();
    const d = branch({
      labels: ['mlctl', 'rollout'],
      reviewers: ['alice'],
      teamReviewers: ['ml-platform'],
      draft: true,
    });
    const opened = await pr.open(d);
    expect(opened).toMatchObject({
      created: true,
      warnings: [],
      pullRequest: { head: d.head, base: 'main', title: d.title, state: 'open', draft: true, mergeable: true },
    });
    expect(opened.pullRequest.url).toBe(`${gh.serverUrl}/acme/deploy/pull/${opened.pullRequest.number}`);
    expect(opened.pullRequest.headSha).toBe(git(repo.remote, 'rev-parse', d.head));
    const fake = gh.pull(opened.pullRequest.number);
    expect([fake.labels, fake.reviewers, fake.teamReviewers, fake.body]).toEqual([
      ['mlctl', 'rollout'],
      ['alice'],
      ['ml-platform'],
      '## Evidence\n',
    ]);
    const again = await pr.open(d);
    expect(again).toMatchObject({ created: false, pullRequest: { number: opened.pullRequest.number } });
    expect(gh.pulls().filter((p) => p.head === d.head)).toHaveLength(1);
    expect(gh.requests.every((r) => r.auth === 'Bearer')).toBe(true);
  });

  it('reports a merged pull request with its merge commit, and a closed one', async () => {
    const pr = client();
    const a = await pr.open(branch());
    expect(await pr.findOpen(a.pullRequest.head, 'main')).toMatchObject({ number: a.pullRequest.number });
    const sha = gh.merge(a.pullRequest.number);
    expect(await pr.get(a.pullRequest.number)).toMatchObject({ state: 'merged', mergeCommit: sha });
    expect(git(repo.remote, 'rev-parse', 'main')).toBe(sha);
    expect(await pr.findOpen(a.pullRequest.head, 'main')).toBeNull();

    const b = await pr.open(branch());
    gh.close(b.pullRequest.number);
    const closed = await pr.get(b.pullRequest.number);
    expect(closed).toMatchObject({ state: 'closed', number: b.pullRequest.number });
    expect(closed.state === 'closed' && closed.closedAt).toMatch(/^\d{4}-/);
  });

  it('comments, and closes with a reason', async () => {
    const pr = client();
    const a = await pr.open(branch());
    await pr.comment(a.pullRequest.number, 'waiting for the bake time');
    const closed = await pr.close(a.pullRequest.number, 'superseded: the rollout was aborted');
    expect(closed.state).toBe('closed');
    expect(gh.pull(a.pullRequest.number).comments).toEqual([
      'waiting for the bake time',
      'superseded: the rollout was aborted',
    ]);
  });

  it('links files on the host, GitHub Enterprise style', () => {
    expect(client().fileUrl('mlctl/fraud/1-full', 'docs/adr/0005-promote fraud.md')).toBe(
      `${gh.serverUrl}/acme/deploy/blob/mlctl/fraud/1-full/docs/adr/0005-promote%20fraud.md`,
    );
  });

  it('reviewers that are not collaborators are a warning: the pull request is open', async () => {
    const opened = await client().open(branch({ reviewers: ['mallory'] }));
    expect(opened.created).toBe(true);
    expect(opened.warnings).toEqual([
      expect.stringMatching(
        /is open, but requesting reviews from mallory failed: .*only be requested from collaborators/,
      ),
    ]);
  });

  it('a 422 names the refused field (exit 2)', async () => {
    gh.failNext({ status: 422, method: 'POST', errors: [{ resource: 'PullRequest', field: 'base', code: 'invalid' }] });
    const err = await thrown(client().open(branch()));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(
      /cannot open a pull request from mlctl\/fraud\/\d+-canary-5 into main on acme\/deploy: GitHub refused it: base: invalid/,
    );
  });

  it('a branch that was never pushed is refused by GitHub, not guessed at', async () => {
    const err = await thrown(client().open({ ...branch(), head: 'mlctl/fraud/never-pushed' }));
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/head: invalid/);
  });

  it('401 and 403 are authentication errors (exit 4) and never show the token', async () => {
    gh.failNext({ status: 401 });
    const e401 = await thrown(client().get(1));
    expect([e401 instanceof AuthError, e401.exitCode]).toEqual([true, 4]);
    expect(e401.message).toMatch(
      /rejected the token \(401 \(Bad credentials\)\); set a valid GITHUB_TOKEN or GH_TOKEN/,
    );
    const wrong = await thrown(client({ GITHUB_TOKEN: 'ghs_wrong' }).get(1));
    expect(wrong.exitCode).toBe(4);
    gh.failNext({ status: 403 });
    const e403 = await thrown(client().open(branch()));
    expect(e403.exitCode).toBe(4);
    expect(e403.message).toMatch(
      /not allowed to \(403 \(Resource not accessible by integration\)\); it needs contents: write and pull-requests: write/,
    );
  });

  it('no token at all: exit 4 before any request', () => {
    const before = gh.requests.length;
    expect(() => GitHubPullRequests.fromEnv({ env: { ...env(), GITHUB_TOKEN: '' } })).toThrow(AuthError);
    expect(() => GitHubPullRequests.fromEnv({ env: { ...env(), GITHUB_TOKEN: '' } })).toThrow(
      /set GITHUB_TOKEN .* or GH_TOKEN/,
    );
    expect(gh.requests.length).toBe(before);
  });

  it('the primary rate limit fails at once with the reset time; a secondary one is waited out', async () => {
    gh.failNext({ status: 403, rateLimitReset: 1_900_000_000 });
    const limited = await thrown(client().get(1));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited.exitCode).toBe(3);
    expect((limited as RateLimitError).resetAt?.toISOString()).toBe('2030-03-17T17:46:40.000Z');
    expect(limited.message).toMatch(/rate limit exceeded; it resets at 2030-03-17T17:46:40.000Z/);

    const waits: number[] = [];
    const pr = GitHubPullRequests.fromEnv({ env: env(), sleep: async (ms) => void waits.push(ms) });
    gh.failNext({ status: 429, retryAfter: 2 });
    const opened = await pr.open(branch());
    expect(opened.created).toBe(true);
    expect(waits).toEqual([2000]);
  });

  it('5xx are retried with a growing backoff, then fail with exit 3', async () => {
    const waits: number[] = [];
    const pr = GitHubPullRequests.fromEnv({
      env: env(),
      backoffMs: 10,
      retries: 3,
      sleep: async (ms) => void waits.push(ms),
    });
    const a = await pr.open(branch());
    gh.failNext({ status: 500, times: 2, method: 'GET' });
    expect((await pr.get(a.pullRequest.number)).number).toBe(a.pullRequest.number);
    expect(waits).toEqual([10, 20]);
    gh.failNext({ status: 502, times: 4, method: 'GET' });
    const err = await thrown(pr.get(a.pullRequest.number));
    expect(err).toBeInstanceOf(StorageError);
    expect(err.message).toMatch(/GitHub answered 502 \(Server Error\) 4 times; try again later/);
    expect(waits).toEqual([10, 20, 10, 20, 40]);
  });

  it('a 502 or a dropped connection after GitHub did open it: the retry finds that pull request, opened once', async () => {
    const pr = client();
    const d1 = branch({ labels: ['mlctl'] });
    gh.failNext({ status: 502, method: 'POST', path: /\/pulls$/, afterApplying: true });
    const a = await pr.open(d1);
    expect(a.created).toBe(true);
    expect(gh.pulls().filter((p) => p.head === d1.head)).toHaveLength(1);
    expect(gh.pull(a.pullRequest.number).labels).toEqual(['mlctl']);

    const d2 = branch();
    gh.failNext({ status: 'reset', method: 'POST', path: /\/pulls$/, afterApplying: true });
    const b = await pr.open(d2);
    expect(b.pullRequest.head).toBe(d2.head);
    expect(gh.pulls().filter((p) => p.head === d2.head)).toHaveLength(1);
  });

  it('a comment is not sent twice: a 502 on it is an error', async () => {
    const pr = client();
    const a = await pr.open(branch());
    gh.failNext({ status: 502, method: 'POST', path: /comments$/, afterApplying: true });
    expect((await thrown(pr.comment(a.pullRequest.number, 'once'))).exitCode).toBe(3);
    expect(gh.pull(a.pullRequest.number).comments).toEqual(['once']);
  });

  it('an unknown pull request number is exit 2; an unreachable API is exit 3', async () => {
    expect(await thrown(client().get(999))).toBeInstanceOf(NotFoundError);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const down = GitHubPullRequests.fromEnv({
      env: env({ GITHUB_API_URL: `http://127.0.0.1:${port}/api/v3` }),
      retries: 1,
      sleep: async () => {},
    });
    const err = await thrown(down.get(1));
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(/did not answer \(ECONNREFUSED\)/);
  });
});
