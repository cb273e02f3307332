import { AuthError, NotFoundError, RateLimitError, StorageError, UsageError } from '../../core/errors.js';

export interface HttpOptions {
  /** Per request (the whole answer, body included). */
  timeoutMs?: number;
  /** Further attempts after a 5xx, a secondary rate limit, a timeout or a dropped connection. */
  retries?: number;
  /** The first wait between attempts; doubled each time. */
  backoffMs?: number;
  /** A Retry-After longer than this is not waited for: the call fails with a RateLimitError. */
  maxWaitMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  /** Path below the API base, with parameters already encoded. */
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
  /** Safe to send twice: retried on 5xx and resets. Other calls are retried only when nothing was sent. */
  idempotent: boolean;
  /** What the call does, for error messages: "open a pull request from x into main". */
  what: string;
}

export interface Answer<T> {
  status: number;
  data: T;
}

/** A validation-error body (422): message plus the fields GitHub refused. */
interface ErrorBody {
  message?: string;
  errors?: Array<{ resource?: string; field?: string; code?: string; message?: string } | string>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export function describeErrors(body: ErrorBody): string {
  const parts = (body.errors ?? []).map((e) => {
    if (typeof e === 'string') return e;
    if (e.message) return e.field ? `${e.field}: ${e.message}` : e.message;
    return [e.field ?? e.resource, e.code].filter(Boolean).join(': ');
  });
  return parts.length ? parts.join('; ') : (body.message ?? 'no details');
}

/**
 * A small typed wrapper over fetch for GitHub's REST API: the token in one header only, bounded
 * retries with exponential backoff, and every failure turned into one of core's typed errors.
 */
export class GitHubHttp {
  private readonly o: Required<HttpOptions>;

  constructor(
    readonly base: string,
    private readonly token: string,
    options: HttpOptions = {},
  ) {
    this.o = {
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 3,
      backoffMs: options.backoffMs ?? 500,
      maxWaitMs: options.maxWaitMs ?? 60_000,
      fetch: options.fetch ?? globalThis.fetch,
      sleep: options.sleep ?? sleep,
    };
  }

  async call<T>(c: Call): Promise<Answer<T>> {
    const qs = c.query
      ? `?${new URLSearchParams(Object.entries(c.query).map(([k, v]) => [k, String(v)])).toString()}`
      : '';
    const url = `${this.base}${c.path}${qs}`;
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.o.retries;
      let res: Response;
      let text: string;
      try {
        res = await this.o.fetch(url, {
          method: c.method,
          headers: {
            accept: 'application/vnd.github+json',
            authorization: `Bearer ${this.token}`,
            'user-agent': 'mlctl',
            'x-github-api-version': '2022-11-28',
            ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: c.body !== undefined ? JSON.stringify(c.body) : undefined,
          // A redirect (a renamed repository) could lead the token to another host: never follow one.
          redirect: 'manual',
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        text = await res.text();
      } catch (err) {
        const e = err as Error & { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } };
        const code = e.name === 'TimeoutError' ? 'ETIMEDOUT' : (e.cause?.code ?? e.cause?.errors?.[0]?.code ?? '');
        const retry = !last && (NOT_SENT.has(code) || (c.idempotent && DROPPED.has(code)));
        if (retry) {
          await this.o.sleep(this.backoff(attempt));
          continue;
        }
        const why =
          e.name === 'TimeoutError'
            ? `no answer within ${this.o.timeoutMs / 1000}s`
            : code || e.cause?.message || e.message;
        throw new StorageError(`cannot ${c.what}: ${this.base} did not answer (${why}); try again later`, {
          cause: err,
        });
      }
      let data: unknown = null;
      if (text) {
        try {
          data = JSON.parse(text);
        } catch {
          data = { message: text.slice(0, 200) };
        }
      }
      if (res.status >= 200 && res.status < 300) return { status: res.status, data: data as T };
      const body = (data ?? {}) as ErrorBody;
      const wait = this.retryAfter(res, body);
      if (wait !== null && !last && wait <= this.o.maxWaitMs) {
        await this.o.sleep(wait);
        continue;
      }
      if (res.status >= 500 && c.idempotent && !last) {
        await this.o.sleep(this.backoff(attempt));
        continue;
      }
      throw this.error(c, res, body, attempt + 1);
    }
  }

  private backoff(attempt: number): number {
    return this.o.backoffMs * 2 ** attempt;
  }

  /** A secondary rate limit (403/429 with Retry-After, or GitHub's message): how long to wait, else null. */
  private retryAfter(res: Response, body: ErrorBody): number | null {
    if (res.status !== 403 && res.status !== 429) return null;
    if (res.headers.get('x-ratelimit-remaining') === '0') return null;
    const after = res.headers.get('retry-after');
    if (after !== null && /^\d+$/.test(after)) return Number(after) * 1000;
    if (/secondary rate limit/i.test(body.message ?? '')) return 60_000;
    return null;
  }

  private error(c: Call, res: Response, body: ErrorBody, attempts: number): Error {
    const s = res.status;
    const msg = body.message ? ` (${body.message})` : '';
    if (s === 401)
      return new AuthError(
        `cannot ${c.what}: GitHub rejected the token (401${msg}); set a valid GITHUB_TOKEN or GH_TOKEN`,
      );
    if ((s === 403 || s === 429) && (res.headers.get('x-ratelimit-remaining') === '0' || /rate limit/i.test(msg))) {
      const reset = Number(res.headers.get('x-ratelimit-reset'));
      const at = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : null;
      return new RateLimitError(
        `cannot ${c.what}: GitHub API rate limit exceeded${at ? `; it resets at ${at.toISOString()}` : ''}; run the command again then`,
        at,
      );
    }
    if (s === 403)
      return new AuthError(
        `cannot ${c.what}: the token is not allowed to (403${msg}); it needs contents: write and pull-requests: write on the repository`,
      );
    if (s === 404)
      return new NotFoundError(
        `cannot ${c.what}: not found (404); check the repository (GITHUB_REPOSITORY or git.repository) and that the token can see it`,
      );
    if (s === 422) return new UsageError(`cannot ${c.what}: GitHub refused it: ${describeErrors(body)} (422${msg})`);
    if (s >= 300 && s < 400)
      return new UsageError(
        `cannot ${c.what}: GitHub answered ${s} (moved); the repository may have been renamed — update git.repository`,
      );
    if (s >= 500)
      return new StorageError(
        `cannot ${c.what}: GitHub answered ${s}${msg}${attempts > 1 ? ` ${attempts} times` : ''}; try again later`,
      );
    return new StorageError(`cannot ${c.what}: GitHub answered ${s}${msg}`);
  }
}
