import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A fault-injecting HTTP proxy (test code), put in front of the S3 test server (usually in front of
 * the strict layer, so that conditional writes are still enforced behind it). Each request is
 * matched against the scripted rules in order; the first rule with uses left decides what happens:
 * - `status`: answer with that status and an S3-style XML error, nothing forwarded;
 * - `reset-request`: read up to `afterBytes` of the request body, then reset the connection (nothing forwarded);
 * - `reset-response`: forward, send the status, headers and the first `afterBytes` of the body, then reset;
 * - `lose-response`: forward the whole request (a write lands), read the whole answer, then reset
 *   without answering — the client cannot know whether its write happened;
 * - `delay`: wait, then forward normally.
 * Headers (Host included) pass through untouched, so SigV4 signatures still verify behind the proxy.
 */
export type Fault =
  | { kind: 'status'; status: number; code?: string }
  | { kind: 'reset-request'; afterBytes?: number }
  | { kind: 'reset-response'; afterBytes: number }
  | { kind: 'lose-response' }
  | { kind: 'delay'; ms: number };

export interface ProxiedRequest {
  /** 1, 2, 3… in arrival order. */
  n: number;
  method: string;
  /** The decoded path without the query (for S3 path-style: /bucket/key). */
  key: string;
  query: string;
  headers: IncomingMessage['headers'];
  /** The fault applied to this request, if any. */
  fault?: Fault['kind'];
}

export type Match = (r: ProxiedRequest) => boolean;

export interface FaultProxy {
  endpoint: string;
  requests: ProxiedRequest[];
  /** Apply `fault` to the next `times` requests that match (default: once; Infinity: until cleared). */
  inject(match: Match, fault: Fault, times?: number): void;
  /** Forget every rule that has not been used up. */
  clear(): void;
  close(): Promise<void>;
}

/** A real TCP reset where Node offers it (the client sees ECONNRESET), else a plain close. */
function reset(socket: Socket): void {
  const s = socket as Socket & { resetAndDestroy?: () => void };
  if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
  else s.destroy();
}

function xmlError(res: ServerResponse, status: number, code: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected fault</Message></Error>`);
}

const defaultCode = (status: number) =>
  ({ 500: 'InternalError', 503: 'SlowDown', 502: 'BadGateway', 504: 'GatewayTimeout', 429: 'SlowDown' })[status] ??
  'InjectedError';

export async function startFaultProxy(upstreamUrl: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  const requests: ProxiedRequest[] = [];
  let rules: Array<{ match: Match; fault: Fault; left: number }> = [];
  // No keep-alive upstream: a reset on one side never leaves a half-used connection on the other.
  const agent = new http.Agent({ keepAlive: false });

  const forward = (req: IncomingMessage, body: Buffer | null) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const up = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent,
        },
        resolve,
      );
      up.on('error', reject);
      if (body) up.end(body);
      else req.pipe(up);
    });

  const readAll = (s: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => resolve(Buffer.concat(chunks)));
      s.on('error', reject);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const info: ProxiedRequest = {
      n: requests.length + 1,
      method: req.method ?? 'GET',
      key: decodeURIComponent(q < 0 ? url : url.slice(0, q)),
      query: q < 0 ? '' : url.slice(q + 1),
      headers: req.headers,
    };
    requests.push(info);
    const rule = rules.find((r) => r.left > 0 && r.match(info));
    if (rule) rule.left--;
    const fault = rule?.fault;
    info.fault = fault?.kind;

    switch (fault?.kind) {
      case 'status':
        await readAll(req);
        return xmlError(res, fault.status, fault.code ?? defaultCode(fault.status));
      case 'reset-request': {
        const limit = fault.afterBytes ?? 0;
        let seen = 0;
        if (limit === 0) return reset(req.socket);
        await new Promise<void>((resolve) => {
          req.on('data', (c: Buffer) => {
            seen += c.length;
            if (seen >= limit) resolve();
          });
          req.on('end', resolve);
        });
        return reset(req.socket);
      }
      case 'lose-response': {
        const up = await forward(req, null);
        await readAll(up);
        return reset(req.socket);
      }
      case 'delay':
        await new Promise((r) => setTimeout(r, fault.ms));
        break;
      default:
        break;
    }
    const up = await forward(req, null);
    const headers = { ...up.headers };
    res.writeHead(up.statusCode ?? 502, headers);
    if (fault?.kind !== 'reset-response') {
      up.pipe(res);
      return;
    }
    // Send exactly `afterBytes` of the body (the headers announced all of it), then cut the
    // connection once those bytes have left, so the client reads them and then a premature end.
    let left = fault.afterBytes;
    const cut = () => {
      up.destroy();
      req.socket.destroy();
    };
    if (left === 0) {
      res.flushHeaders();
      return void setImmediate(cut);
    }
    up.on('data', (c: Buffer) => {
      if (left <= 0) return;
      const piece = c.subarray(0, left);
      left -= piece.length;
      if (left > 0) res.write(piece);
      else res.write(piece, () => setImmediate(cut));
    });
    up.on('end', () => {
      if (left > 0) res.end();
    });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) xmlError(res, 502, 'BadGateway');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    inject(match, fault, times = 1) {
      rules.push({ match, fault, left: times });
    },
    clear() {
      rules = [];
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
        agent.destroy();
      }),
  };
}

/** Matchers for S3 requests (path-style: /bucket/key). */
export const on = {
  /** A whole-object PUT (not a multipart part; the SDK adds `x-id=PutObject` to the query). */
  put:
    (keySuffix: string): Match =>
    (r) =>
      r.method === 'PUT' && r.key.endsWith(keySuffix) && !/uploadId|partNumber/.test(r.query),
  get:
    (keySuffix: string): Match =>
    (r) =>
      r.method === 'GET' && r.key.endsWith(keySuffix),
  head:
    (keySuffix: string): Match =>
    (r) =>
      r.method === 'HEAD' && r.key.endsWith(keySuffix),
  any:
    (keyPart: string): Match =>
    (r) =>
      r.key.includes(keyPart),
};
