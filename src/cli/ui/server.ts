/**
 * `mlctl ui`: a read-only HTTP server over the same view models and renderers as `mlctl report`.
 * Every request opens the registry afresh (a shared registry is re-checked with its one HEAD), so
 * the pages show live changes. Anything but GET/HEAD is refused; off loopback a token is required.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { MlctlError, NotFoundError, UsageError } from '../../core/errors.js';
import type { Registry } from '../../ports/registry.js';
import type { PageView } from '../../core/views/index.js';
import type { ViewMeta } from '../../core/views/common.js';

export interface UiOptions {
  host: string;
  port: number;
  /** Required on every request when set (binding beyond loopback). */
  token: string | null;
  /** A registry for one request; closed when the response is done. */
  openRegistry(): Promise<{ registry: Registry; close(): Promise<void> }>;
  now(): Date;
  /** Where the registry is, for error pages that cannot open it. */
  location: string;
}

export interface RunningUi {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

const AUDIT_FILTERS = ['model', 'ref', 'action', 'actor', 'since', 'until', 'limit'] as const;

type Route =
  | { kind: 'models' }
  | { kind: 'model'; model: string }
  | { kind: 'version'; ref: string }
  | { kind: 'gate-run'; id: number }
  | { kind: 'rollout'; id: number }
  | { kind: 'audit'; query: URLSearchParams }
  | { kind: 'none' };

function route(url: URL): Route {
  let parts: string[];
  try {
    parts = url.pathname
      .split('/')
      .filter(Boolean)
      .map((p) => decodeURIComponent(p));
  } catch {
    return { kind: 'none' };
  }
  const id = (s: string | undefined) => (s && /^[1-9][0-9]{0,14}$/.test(s) ? Number(s) : null);
  if (parts.length === 0) return { kind: 'models' };
  if (parts[0] === 'models' && parts.length === 2) return { kind: 'model', model: parts[1]! };
  if (parts[0] === 'models' && parts.length === 3) return { kind: 'version', ref: `${parts[1]}@${parts[2]}` };
  if (parts[0] === 'gate-runs' && parts.length === 2 && id(parts[1]) !== null)
    return { kind: 'gate-run', id: id(parts[1])! };
  if (parts[0] === 'rollouts' && parts.length === 2 && id(parts[1]) !== null)
    return { kind: 'rollout', id: id(parts[1])! };
  if (parts[0] === 'audit' && parts.length === 1) return { kind: 'audit', query: url.searchParams };
  return { kind: 'none' };
}

async function buildView(r: Route, registry: Registry, now: Date): Promise<PageView | null> {
  switch (r.kind) {
    case 'models': {
      const { buildModelsView } = await import('../../core/views/lists.js');
      return buildModelsView(registry, now);
    }
    case 'model': {
      const { buildModelView } = await import('../../core/views/model.js');
      return buildModelView(registry, r.model, now);
    }
    case 'version': {
      const { buildVersionView } = await import('../../core/views/version.js');
      return buildVersionView(registry, r.ref, now);
    }
    case 'gate-run': {
      const { buildGateRunView } = await import('../../core/views/gate-run.js');
      return buildGateRunView(registry, r.id, now);
    }
    case 'rollout': {
      const { buildRolloutView } = await import('../../core/views/rollout.js');
      return buildRolloutView(registry, r.id, now);
    }
    case 'audit': {
      const { buildAuditView } = await import('../../core/views/lists.js');
      const q: Record<string, string | number> = {};
      for (const k of AUDIT_FILTERS) {
        const v = r.query.get(k)?.trim();
        if (v) q[k] = v;
      }
      if (q.limit !== undefined) {
        if (!/^[1-9][0-9]{0,6}$/.test(String(q.limit)))
          throw new UsageError(`limit must be a positive whole number, got ${JSON.stringify(q.limit)}`);
        q.limit = Number(q.limit);
      }
      return buildAuditView(registry, q, now);
    }
    case 'none':
      return null;
  }
}

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}

export async function startUi(o: UiOptions): Promise<RunningUi> {
  const { renderView, renderStatus, serverLinks } = await import('../render/html/render.js');
  const { PAGE_CSP } = await import('../render/html/page.js');
  const loopback = LOOPBACK.has(o.host);
  let cookieName = 'mlctl_token';

  const meta = (): ViewMeta => ({ generatedAt: o.now().toISOString(), registry: o.location });
  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    code: number,
    html: string,
    extra: Record<string, string> = {},
  ) => {
    const body = Buffer.from(html);
    res.writeHead(code, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': String(body.length),
      'content-security-policy': `${PAGE_CSP}; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      ...extra,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const status = (
    req: IncomingMessage,
    res: ServerResponse,
    code: number,
    title: string,
    message: string,
    extra?: Record<string, string>,
  ) => send(req, res, code, renderStatus(code, title, message, serverLinks, meta()), extra);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return status(req, res, 405, 'Method Not Allowed', `mlctl ui is read-only: ${req.method} is not allowed.`, {
        allow: 'GET, HEAD',
      });
    const url = new URL(req.url ?? '/', 'http://mlctl.invalid');
    // A page on another site must not reach a loopback server through a DNS name it controls.
    const hostname = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (loopback && !LOOPBACK.has(hostname))
      return status(
        req,
        res,
        403,
        'Forbidden',
        `this server answers only to 127.0.0.1 or localhost, not ${hostname || 'a missing Host'}.`,
      );
    if (o.token) {
      const fromQuery = url.searchParams.get('token');
      const given =
        fromQuery ??
        (req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : null) ??
        (req.headers['x-mlctl-token'] as string | undefined) ??
        cookieToken(req, cookieName);
      if (!sameToken(given, o.token))
        return status(
          req,
          res,
          403,
          'Forbidden',
          'this server needs the token it printed when it started: open the URL it printed, or send the token as ?token=, a Bearer header or X-Mlctl-Token.',
        );
      if (fromQuery) {
        // Keep the token out of the address bar, history and logs: a cookie carries it from now on.
        url.searchParams.delete('token');
        res.writeHead(303, {
          location: `${url.pathname}${url.search}`,
          'set-cookie': `${cookieName}=${o.token}; HttpOnly; SameSite=Strict; Path=/`,
          'cache-control': 'no-store',
          'content-length': '0',
        });
        return void res.end();
      }
    }
    const r = route(url);
    if (r.kind === 'none') return status(req, res, 404, 'Not Found', `nothing at ${url.pathname}.`);
    let opened: { registry: Registry; close(): Promise<void> } | undefined;
    try {
      opened = await o.openRegistry();
      const view = await buildView(r, opened.registry, o.now());
      send(req, res, 200, renderView(view!, serverLinks));
    } catch (err) {
      if (err instanceof NotFoundError) return status(req, res, 404, 'Not Found', err.message);
      if (err instanceof UsageError) return status(req, res, 400, 'Bad Request', err.message);
      const message = err instanceof MlctlError ? err.message : `unexpected error: ${(err as Error).message}`;
      return status(req, res, 500, 'Error', message);
    } finally {
      await opened?.close();
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`mlctl ui: ${err.message}\n`);
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port, o.host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const port = (server.address() as AddressInfo).port;
  // Browsers share cookies across ports of one host: one name per port keeps two servers apart.
  cookieName = `mlctl_token_${port}`;
  const shown = o.host.includes(':') && !o.host.startsWith('[') ? `[${o.host}]` : o.host;
  return {
    url: `http://${shown}:${port}/${o.token ? `?token=${o.token}` : ''}`,
    port,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
