import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js';
import { githubOpenApi } from '../support/github-openapi.js';
import { git, repoWithRemote, type RepoWithRemote } from '../support/bare-remote.js';

const TOKEN = 'ghs_faketoken0123456789';
let repo: RepoWithRemote;
let gh: FakeGitHub;

beforeAll(async () => {
  repo = repoWithRemote();
  gh = await startFakeGitHub({ repository: 'acme/deploy', remote: repo.remote, token: TOKEN });
}, 60_000);
afterAll(async () => {
  await gh.stop();
  repo.cleanup();
});

const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${gh.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'user-agent': 'test',
      accept: 'application/vnd.github+json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

describe("the fake GitHub API checks requests against GitHub's OpenAPI description", () => {
  it('refuses what the description does not allow: unknown paths, methods, query parameters, body fields and types', async () => {
    const before = gh.violations.length;
    expect((await call('GET', '/repos/acme/deploy/pullz')).status).toBe(400);
    expect((await call('DELETE', '/repos/acme/deploy/pulls')).status).toBe(400);
    expect((await call('GET', '/repos/acme/deploy/pulls?state=open&colour=red')).status).toBe(400);
    expect((await call('GET', '/repos/acme/deploy/pulls?state=opened')).status).toBe(400);
    expect((await call('POST', '/repos/acme/deploy/pulls', { head: 'x', base: 'main', draft: 'yes' })).status).toBe(
      400,
    );
    expect((await call('POST', '/repos/acme/deploy/pulls', { head: 'x', base: 'main', reviewers: ['a'] })).status).toBe(
      400,
    );
    expect((await call('POST', '/repos/acme/deploy/pulls', { title: 'no head or base' })).status).toBe(400);
    expect((await call('GET', '/repos/acme/deploy/pulls/seven')).status).toBe(400);
    expect((await call('GET', '/repos/acme/deploy/pulls', undefined, { 'user-agent': '' })).status).toBe(400);
    const found = gh.violations.splice(before);
    expect(found.join('\n')).toMatch(/no operation .* path \/repos\/acme\/deploy\/pullz/);
    expect(found.join('\n')).toMatch(/DELETE is not an operation on \/repos\/\{owner\}\/\{repo\}\/pulls/);
    expect(found.join('\n')).toMatch(/query parameter colour is not defined for pulls\/list/);
    expect(found.join('\n')).toMatch(/query parameter state.* must be equal to one of the allowed values/);
    expect(found.join('\n')).toMatch(/body\/draft must be boolean/);
    expect(found.join('\n')).toMatch(/body field reviewers is not defined for pulls\/create/);
    expect(found.join('\n')).toMatch(/must have required property 'head'/);
    expect(found.join('\n')).toMatch(/path parameter pull_number must be integer/);
    expect(found.join('\n')).toMatch(/User-Agent/);
  });

  it('checks its own answers against the response schemas', () => {
    const spec = githubOpenApi();
    const route = spec.route('GET', '/repos/acme/deploy/pulls/1');
    if (typeof route === 'string') throw new Error(route);
    const pr = spec.sample('pull-request');
    expect(spec.validateResponse(route, 200, pr)).toEqual([]);
    const { number: _n, ...noNumber } = pr;
    expect(spec.validateResponse(route, 200, noNumber).join('\n')).toMatch(/must have required property 'number'/);
    expect(spec.validateResponse(route, 200, { ...pr, merged: 'yes' }).join('\n')).toMatch(/merged must be boolean/);
    expect(spec.validateResponse(route, 201, pr)).toEqual([expect.stringMatching(/does not answer 201/)]);
  });

  it('answers 401 to a wrong token and 404 to another repository, with bodies that follow the schemas', async () => {
    expect((await call('GET', '/repos/acme/deploy/pulls', undefined, { authorization: 'Bearer nope' })).body).toEqual({
      message: 'Bad credentials',
      documentation_url: expect.any(String),
      status: '401',
    });
    expect((await call('GET', '/repos/acme/other/pulls')).status).toBe(404);
    expect(gh.violations).toEqual([]);
  });

  it('opens, lists, merges for real in the bare remote, and closes pull requests', async () => {
    repo.pushFromElsewhere(
      'mlctl/fraud/1-canary-5',
      { 'deploy/vs.yaml': 'kind: VirtualService\nweight: 5\n' },
      'canary',
    );
    const head = git(repo.remote, 'rev-parse', 'mlctl/fraud/1-canary-5');
    const created = await call('POST', '/repos/acme/deploy/pulls', {
      title: 'mlctl: fraud@2 canary 5%',
      head: 'mlctl/fraud/1-canary-5',
      base: 'main',
      body: 'evidence',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      number: 1,
      state: 'open',
      head: { ref: 'mlctl/fraud/1-canary-5', sha: head },
    });
    expect(created.body.html_url).toBe(`${gh.serverUrl}/acme/deploy/pull/1`);
    const again = await call('POST', '/repos/acme/deploy/pulls', {
      title: 't',
      head: 'mlctl/fraud/1-canary-5',
      base: 'main',
    });
    expect(again.status).toBe(422);
    expect(again.body.errors[0].message).toMatch(/already exists/);
    const listed = await call('GET', '/repos/acme/deploy/pulls?state=open&head=acme:mlctl/fraud/1-canary-5&base=main');
    expect(listed.body.map((p: { number: number }) => p.number)).toEqual([1]);
    expect((await call('GET', '/repos/acme/deploy/pulls/1')).body).toMatchObject({ mergeable: true, merged: false });

    const mainBefore = git(repo.remote, 'rev-parse', 'main');
    const merge = gh.merge(1);
    expect(git(repo.remote, 'rev-parse', 'main')).toBe(merge);
    expect(git(repo.remote, 'rev-list', '--parents', '-n1', merge).split(' ').slice(1)).toEqual([mainBefore, head]);
    expect(git(repo.remote, 'show', 'main:deploy/vs.yaml')).toContain('weight: 5');
    const got = await call('GET', '/repos/acme/deploy/pulls/1');
    expect(got.body).toMatchObject({ state: 'closed', merged: true, merge_commit_sha: merge });
    expect(got.body.merged_at).toEqual(expect.any(String));

    repo.pushFromElsewhere('mlctl/fraud/1-ramp-25', { 'deploy/vs.yaml': 'kind: VirtualService\nweight: 25\n' }, 'ramp');
    const second = await call('POST', '/repos/acme/deploy/pulls', {
      title: 'ramp',
      head: 'mlctl/fraud/1-ramp-25',
      base: 'main',
    });
    expect((await call('PATCH', '/repos/acme/deploy/pulls/2', { state: 'closed' })).body).toMatchObject({
      state: 'closed',
      merged: false,
      merge_commit_sha: null,
    });
    expect(second.body.number).toBe(2);
    expect(git(repo.remote, 'rev-parse', 'main')).toBe(merge);
    expect(gh.violations).toEqual([]);
  });

  it('refuses to merge a conflicting pull request, leaving the base as it was', async () => {
    repo.pushFromElsewhere('mlctl/fraud/1-full', { 'deploy/vs.yaml': 'kind: VirtualService\nweight: 100\n' }, 'full');
    const pr = await call('POST', '/repos/acme/deploy/pulls', {
      title: 'full',
      head: 'mlctl/fraud/1-full',
      base: 'main',
    });
    repo.pushFromElsewhere('main', { 'deploy/vs.yaml': 'kind: VirtualService\nweight: 7\n' }, 'hand edit');
    const main = git(repo.remote, 'rev-parse', 'main');
    expect((await call('GET', `/repos/acme/deploy/pulls/${pr.body.number}`)).body).toMatchObject({
      mergeable: false,
      mergeable_state: 'dirty',
    });
    expect(() => gh.merge(pr.body.number)).toThrow(/not mergeable: conflict in deploy\/vs.yaml/);
    expect(git(repo.remote, 'rev-parse', 'main')).toBe(main);
    expect(gh.violations).toEqual([]);
  });

  it('answers scripted failures in the shapes GitHub uses', async () => {
    gh.failNext({ status: 502, method: 'GET' });
    expect((await call('GET', '/repos/acme/deploy/pulls')).status).toBe(502);
    gh.failNext({ status: 403, rateLimitReset: 1_900_000_000 });
    const limited = await fetch(`${gh.apiUrl}/repos/acme/deploy/pulls`, {
      headers: { authorization: `Bearer ${TOKEN}`, 'user-agent': 't' },
    });
    expect([
      limited.status,
      limited.headers.get('x-ratelimit-remaining'),
      limited.headers.get('x-ratelimit-reset'),
    ]).toEqual([403, '0', '1900000000']);
    await limited.text();
    gh.failNext({ status: 'reset' });
    await expect(call('GET', '/repos/acme/deploy/pulls')).rejects.toThrow(/fetch failed/);
    expect(gh.violations).toEqual([]);
  });
});
