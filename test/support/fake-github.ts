import { execFileSync } from 'node:child_process';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { githubOpenApi, type Route } from './github-openapi.js';

/**
 * A FAKE of GitHub's REST API, for tests: GitHub itself cannot be reached from here. It is a local
 * HTTP server (127.0.0.1, under /api/v3 like GitHub Enterprise) that:
 * - validates every request against GitHub's official OpenAPI description (@octokit/openapi):
 *   the operation (method + path template), path and query parameters, the JSON body — a request the
 *   description does not allow is answered 400 and listed in `violations`;
 * - builds its responses from the description's schemas and validates them too (a response that
 *   breaks them is listed in `violations`);
 * - keeps pull requests in memory, over a real bare git repository: a pull request's head is the
 *   branch in that repository, and merging performs a real merge there, so the base branch only
 *   changes through merges;
 * - answers scripted failures (401, 403, rate limits, 422, 5xx, dropped connections).
 * Tests assert `violations` is empty after each test.
 */

export interface FakePull {
  number: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  draft: boolean;
  state: 'open' | 'closed';
  merged: boolean;
  mergeCommit: string | null;
  mergedAt: string | null;
  closedAt: string | null;
  labels: string[];
  reviewers: string[];
  teamReviewers: string[];
  comments: string[];
  /** The head's sha when the pull request was last closed or merged (GitHub freezes it then). */
  frozenHead: string | null;
}

export interface Failure {
  /** An HTTP status, or 'reset' to drop the connection without an answer. */
  status: number | 'reset';
  /** How many matching requests fail (default 1). */
  times?: number;
  method?: string;
  /** Matches the request path (below /api/v3). */
  path?: RegExp;
  /** Apply the request first, then fail the answer (a 502 after GitHub did create the pull request). */
  afterApplying?: boolean;
  /** 403/429: the primary rate limit, resetting at this epoch second. */
  rateLimitReset?: number;
  /** 403/429: a secondary rate limit asking to wait this many seconds. */
  retryAfter?: number;
  /** 422: the refused fields. */
  errors?: Array<{ resource?: string; field?: string; code: string; message?: string }>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  operationId: string | null;
  query: Record<string, string>;
  body: unknown;
  status: number | 'reset';
  /** The Authorization header's scheme, never its token. */
  auth: string | null;
}

export interface FakeGitHub {
  /** GITHUB_API_URL for the client, e.g. http://127.0.0.1:PORT/api/v3. */
  apiUrl: string;
  /** GITHUB_SERVER_URL (web pages). */
  serverUrl: string;
  requests: RecordedRequest[];
  violations: string[];
  pull(number: number): FakePull;
  pulls(): FakePull[];
  /** Merge for real in the bare remote (a merge commit, or a squash); throws on a conflict. */
  merge(number: number, method?: 'merge' | 'squash'): string;
  /** Close without merging. */
  close(number: number): void;
  failNext(f: Failure): void;
  stop(): Promise<void>;
}

export interface FakeGitHubOptions {
  /** owner/name. */
  repository: string;
  /** Path of the bare repository standing for GitHub's copy. */
  remote: string;
  token: string;
  /** Users and teams that may be asked for reviews (others: 422, like GitHub for non-collaborators). */
  collaborators?: string[];
  teams?: string[];
  now?: () => Date;
}

const DOCS = 'https://docs.github.com/rest';
const IDENTITY = {
  GIT_AUTHOR_NAME: 'GitHub',
  GIT_AUTHOR_EMAIL: 'noreply@github.com',
  GIT_COMMITTER_NAME: 'GitHub',
  GIT_COMMITTER_EMAIL: 'noreply@github.com',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (s += c));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

export async function startFakeGitHub(o: FakeGitHubOptions): Promise<FakeGitHub> {
  const spec = githubOpenApi();
  const [owner, name] = o.repository.split('/') as [string, string];
  const now = o.now ?? (() => new Date());
  const pulls: FakePull[] = [];
  const failures: Failure[] = [];
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  let base = '';

  const git = (...a: string[]) =>
    execFileSync('git', a, { cwd: o.remote, env: { ...process.env, ...IDENTITY }, stdio: ['ignore', 'pipe', 'pipe'] })
      .toString()
      .trim();
  const sha = (branch: string): string | null => {
    try {
      return git('rev-parse', '--verify', '--quiet', `refs/heads/${branch}`);
    } catch {
      return null;
    }
  };
  /** Tree of merging head into base, or the conflicting files. */
  const mergeTree = (b: string, h: string): { tree: string } | { conflicts: string[] } => {
    try {
      return { tree: git('merge-tree', '--write-tree', '--name-only', '--no-messages', b, h) };
    } catch (err) {
      const out = String((err as { stdout?: Buffer }).stdout ?? '').trim();
      if ((err as { status?: number }).status !== 1 || !out) throw err;
      return { conflicts: out.split('\n').slice(1) };
    }
  };
  const find = (n: number): FakePull => {
    const p = pulls.find((x) => x.number === n);
    if (!p) throw new HttpError(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
    return p;
  };

  const user = (login: string) => ({ ...spec.sample('simple-user'), login, type: 'User' });
  // A string description: pull-request-simple's inline label schema does not allow null.
  const label = (n: string) => ({ ...spec.sample('label'), name: n, color: 'ededed', description: '' });
  const ref = (branch: string, s: string) => ({
    ...(spec.sample('pull-request').head as Record<string, unknown>),
    label: `${owner}:${branch}`,
    ref: branch,
    sha: s,
    user: user(owner),
  });
  const view = (p: FakePull, schema: 'pull-request' | 'pull-request-simple') => {
    const head = p.frozenHead ?? sha(p.head) ?? '0'.repeat(40);
    const baseSha = sha(p.base) ?? '0'.repeat(40);
    const mergeable = p.state === 'open' ? 'tree' in mergeTree(p.base, p.head) : null;
    const html = `${base}/${owner}/${name}/pull/${p.number}`;
    const common = {
      ...spec.sample(schema),
      number: p.number,
      id: p.number,
      title: p.title,
      body: p.body,
      state: p.state,
      draft: p.draft,
      locked: false,
      html_url: html,
      url: `${base}/api/v3/repos/${owner}/${name}/pulls/${p.number}`,
      head: ref(p.head, head),
      base: ref(p.base, baseSha),
      labels: p.labels.map(label),
      requested_reviewers: p.reviewers.map(user),
      user: user('mlctl-bot'),
      created_at: now().toISOString(),
      updated_at: now().toISOString(),
      closed_at: p.closedAt,
      merged_at: p.mergedAt,
      merge_commit_sha: p.mergeCommit,
    };
    if (schema === 'pull-request-simple') return common;
    return {
      ...common,
      merged: p.merged,
      mergeable,
      mergeable_state: p.state !== 'open' ? 'unknown' : mergeable ? 'clean' : 'dirty',
      merged_by: p.merged ? user('reviewer') : null,
    };
  };

  const merge = (n: number, method: 'merge' | 'squash' = 'merge'): string => {
    const p = find(n);
    if (p.state !== 'open')
      throw new HttpError(405, { message: 'Pull Request is not mergeable', documentation_url: DOCS });
    const b = sha(p.base);
    const h = sha(p.head);
    if (!b || !h) throw new HttpError(405, { message: 'Pull Request is not mergeable', documentation_url: DOCS });
    const t = mergeTree(b, h);
    if (!('tree' in t))
      throw new HttpError(405, {
        message: `Pull Request is not mergeable: conflict in ${t.conflicts.join(', ')}`,
        documentation_url: DOCS,
      });
    const commit =
      method === 'squash'
        ? git('commit-tree', t.tree, '-p', b, '-m', `${p.title} (#${n})`)
        : git(
            'commit-tree',
            t.tree,
            '-p',
            b,
            '-p',
            h,
            '-m',
            `Merge pull request #${n} from ${owner}/${p.head}\n\n${p.title}`,
          );
    // The old value guards against a base that moved meanwhile, as GitHub's own merge does.
    git('update-ref', `refs/heads/${p.base}`, commit, b);
    Object.assign(p, {
      state: 'closed',
      merged: true,
      mergeCommit: commit,
      mergedAt: now().toISOString(),
      closedAt: now().toISOString(),
      frozenHead: h,
    });
    return commit;
  };
  const close = (n: number) => {
    const p = find(n);
    Object.assign(p, { state: 'closed', closedAt: now().toISOString(), frozenHead: sha(p.head) });
  };

  type Handler = (
    params: Record<string, string>,
    q: URLSearchParams,
    body: Record<string, unknown>,
  ) => [number, unknown];
  const handlers: Record<string, Handler> = {
    'pulls/create': (_p, _q, b) => {
      const head = String(b.head).replace(new RegExp(`^${owner}:`), '');
      const baseBranch = String(b.base);
      const invalid = (field: string) =>
        new HttpError(422, {
          message: 'Validation Failed',
          errors: [{ resource: 'PullRequest', field, code: 'invalid' }],
          documentation_url: DOCS,
        });
      if (!sha(baseBranch)) throw invalid('base');
      if (!sha(head)) throw invalid('head');
      if (pulls.some((x) => x.state === 'open' && x.head === head && x.base === baseBranch))
        throw new HttpError(422, {
          message: 'Validation Failed',
          errors: [
            { resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${head}.` },
          ],
          documentation_url: DOCS,
        });
      if (git('rev-list', '--count', `${baseBranch}..${head}`) === '0')
        throw new HttpError(422, {
          message: 'Validation Failed',
          errors: [
            { resource: 'PullRequest', code: 'custom', message: `No commits between ${baseBranch} and ${head}` },
          ],
          documentation_url: DOCS,
        });
      const p: FakePull = {
        number: pulls.length + 1,
        title: String(b.title ?? ''),
        body: typeof b.body === 'string' ? b.body : null,
        head,
        base: baseBranch,
        draft: b.draft === true,
        state: 'open',
        merged: false,
        mergeCommit: null,
        mergedAt: null,
        closedAt: null,
        labels: [],
        reviewers: [],
        teamReviewers: [],
        comments: [],
        frozenHead: null,
      };
      pulls.push(p);
      return [201, view(p, 'pull-request')];
    },
    'pulls/get': (params) => [200, view(find(Number(params.pull_number)), 'pull-request')],
    'pulls/list': (_p, q) => {
      const state = q.get('state') ?? 'open';
      const head = q.get('head');
      const b = q.get('base');
      const list = pulls.filter(
        (x) =>
          (state === 'all' || x.state === state) && (!head || `${owner}:${x.head}` === head) && (!b || x.base === b),
      );
      const per = Number(q.get('per_page') ?? 30);
      return [200, list.slice(0, per).map((x) => view(x, 'pull-request-simple'))];
    },
    'pulls/update': (params, _q, b) => {
      const p = find(Number(params.pull_number));
      if (typeof b.title === 'string') p.title = b.title;
      if (typeof b.body === 'string') p.body = b.body;
      if (b.state === 'closed' && p.state === 'open') close(p.number);
      return [200, view(p, 'pull-request')];
    },
    'pulls/merge': (params, _q, b) => {
      const n = Number(params.pull_number);
      const m = b.merge_method === 'squash' ? 'squash' : 'merge';
      const commit = merge(n, m);
      return [200, { sha: commit, merged: true, message: 'Pull Request successfully merged' }];
    },
    'issues/create-comment': (params, _q, b) => {
      const p = find(Number(params.issue_number));
      p.comments.push(String(b.body));
      return [
        201,
        {
          ...spec.sample('issue-comment'),
          id: p.comments.length,
          body: String(b.body),
          html_url: `${base}/${owner}/${name}/pull/${p.number}#issuecomment-${p.comments.length}`,
          user: user('mlctl-bot'),
        },
      ];
    },
    'issues/add-labels': (params, _q, b) => {
      const p = find(Number(params.issue_number));
      const names = (Array.isArray(b) ? b : (b.labels as unknown[])).map((l) =>
        typeof l === 'string' ? l : String((l as { name: string }).name),
      );
      for (const l of names) if (!p.labels.includes(l)) p.labels.push(l);
      return [200, p.labels.map(label)];
    },
    'pulls/request-reviewers': (params, _q, b) => {
      const p = find(Number(params.pull_number));
      const users = (b.reviewers as string[] | undefined) ?? [];
      const teams = (b.team_reviewers as string[] | undefined) ?? [];
      const bad = [
        ...users.filter((u) => !(o.collaborators ?? []).includes(u)),
        ...teams.filter((t) => !(o.teams ?? []).includes(t)),
      ];
      if (bad.length)
        throw new HttpError(422, {
          message: `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${o.repository} repository.`,
          documentation_url: DOCS,
        });
      p.reviewers.push(...users);
      p.teamReviewers.push(...teams);
      return [201, view(p, 'pull-request-simple')];
    },
  };

  const failureBody = (
    f: Failure,
  ): { status: number; headers: Record<string, string>; body: Record<string, unknown> } => {
    const status = f.status as number;
    if (f.rateLimitReset !== undefined)
      return {
        status,
        headers: {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-limit': '5000',
          'x-ratelimit-reset': String(f.rateLimitReset),
        },
        body: { message: 'API rate limit exceeded for installation ID 1.', documentation_url: DOCS },
      };
    if (f.retryAfter !== undefined)
      return {
        status,
        headers: { 'retry-after': String(f.retryAfter) },
        body: {
          message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: DOCS,
        },
      };
    const messages: Record<number, string> = {
      401: 'Bad credentials',
      403: 'Resource not accessible by integration',
      404: 'Not Found',
      422: 'Validation Failed',
    };
    if (status === 422)
      return {
        status,
        headers: {},
        body: {
          message: messages[422],
          errors: f.errors ?? [{ resource: 'PullRequest', field: 'base', code: 'invalid' }],
          documentation_url: DOCS,
        },
      };
    return {
      status,
      headers: {},
      body: { message: messages[status] ?? 'Server Error', documentation_url: DOCS, status: String(status) },
    };
  };

  const send = (
    res: ServerResponse,
    route: Route | null,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    if (route)
      for (const v of spec.validateResponse(route, status, body)) violations.push(`${route.operationId}: ${v}`);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, '');
    const text = await readBody(req);
    const auth = req.headers.authorization ?? null;
    const rec: RecordedRequest = {
      method,
      path,
      operationId: null,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      status: 0,
      auth: auth ? auth.split(' ')[0]! : null,
    };
    requests.push(rec);
    const reject = (why: string[]) => {
      violations.push(...why.map((w) => `${method} ${path}: ${w}`));
      rec.status = 400;
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `fake-github: not allowed by GitHub's API description: ${why.join('; ')}` }));
    };
    if (!url.pathname.startsWith('/api/v3/')) return reject(['not under /api/v3 (GITHUB_API_URL ignored?)']);
    const route = spec.route(method, path);
    if (typeof route === 'string') return reject([route]);
    rec.operationId = route.operationId;
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        return reject(['the body is not JSON']);
      }
    }
    rec.body = body;
    const problems = spec.validateRequest(route, url.searchParams, body, text !== '');
    if (!req.headers['user-agent']) problems.push('GitHub refuses requests without a User-Agent header');
    if (text && !/^application\/json/.test(req.headers['content-type'] ?? ''))
      problems.push('a JSON body needs content-type: application/json');
    if (problems.length) return reject(problems);
    const fail = failures.find(
      (f) => (f.times ?? 1) > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(path)),
    );
    if (fail) fail.times = (fail.times ?? 1) - 1;
    if (fail?.status === 'reset') {
      rec.status = 'reset';
      if (fail.afterApplying) {
        const h = handlers[route.operationId];
        try {
          h?.(route.params, url.searchParams, (body ?? {}) as Record<string, unknown>);
        } catch {
          // The connection drops either way.
        }
      }
      req.socket.destroy();
      return;
    }
    if (auth !== `Bearer ${o.token}` && auth !== `token ${o.token}`) {
      rec.status = 401;
      return send(res, route, 401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
    }
    if (route.params.owner !== undefined && (route.params.owner !== owner || route.params.repo !== name)) {
      rec.status = 404;
      return send(res, route, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
    }
    const h = handlers[route.operationId];
    if (!h) return reject([`${route.operationId} is a GitHub operation the fake does not implement`]);
    let status: number;
    let answer: unknown;
    if (fail && !fail.afterApplying) {
      const f = failureBody(fail);
      rec.status = f.status;
      return send(res, route, f.status, f.body, f.headers);
    }
    try {
      [status, answer] = h(route.params, url.searchParams, (body ?? {}) as Record<string, unknown>);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      [status, answer] = [err.status, err.body];
    }
    if (fail) {
      const f = failureBody(fail);
      rec.status = f.status;
      return send(res, route, f.status, f.body, f.headers);
    }
    rec.status = status;
    send(res, route, status, answer);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      violations.push(`fake-github crashed on ${req.method} ${req.url}: ${err.message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'fake-github crashed', documentation_url: DOCS }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: `${base}/api/v3`,
    serverUrl: base,
    requests,
    violations,
    pull: (n) => find(n),
    pulls: () => pulls,
    merge,
    close,
    failNext: (f) => failures.push({ times: 1, ...f }),
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
