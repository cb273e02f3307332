import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';

/** An upstream that records what reached it and answers with a 1000-byte body. */
const BODY = Buffer.alloc(1000, 'x');
const seen: Array<{ method: string; url: string; body: string; host: string }> = [];
let upstream: http.Server;
let proxy: FaultProxy;

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        body: Buffer.concat(chunks).toString(),
        host: req.headers.host!,
      });
      res.writeHead(200, { 'content-length': String(BODY.length), etag: '"e1"' });
      res.end(BODY);
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  proxy = await startFaultProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
});
afterAll(async () => {
  await proxy.close();
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
});
beforeEach(() => {
  proxy.clear();
  seen.length = 0;
});

interface Outcome {
  status?: number;
  headers?: http.IncomingHttpHeaders;
  received: number;
  error?: string;
}
/** One request through the proxy; resolves with what the client got, including a connection error. */
function send(method: string, path: string, body = ''): Promise<Outcome> {
  return new Promise((resolve) => {
    const out: Outcome = { received: 0 };
    const req = http.request(
      `${proxy.endpoint}${path}`,
      { method, headers: { 'content-length': String(Buffer.byteLength(body)) }, agent: false },
      (res) => {
        out.status = res.statusCode;
        out.headers = res.headers;
        res.on('data', (c: Buffer) => (out.received += c.length));
        res.on('end', () => resolve(out));
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ ...out, error: e.code ?? e.message }));
        res.on('aborted', () => resolve({ ...out, error: 'aborted' }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ ...out, error: e.code ?? e.message }));
    req.end(body);
  });
}

describe('fault-injecting proxy (test support)', () => {
  it('passes requests through untouched (Host header included) and records them', async () => {
    const r = await send('PUT', '/bucket/a/key?x=1', 'hello');
    expect(r).toMatchObject({ status: 200, received: 1000 });
    expect(r.headers?.etag).toBe('"e1"');
    expect(seen).toEqual([{ method: 'PUT', url: '/bucket/a/key?x=1', body: 'hello', host: proxy.endpoint.slice(7) }]);
    expect(proxy.requests.at(-1)).toMatchObject({ method: 'PUT', key: '/bucket/a/key', query: 'x=1' });
    expect(proxy.requests.at(-1)!.fault).toBeUndefined();
  });

  it('a status fault answers with an S3-style error and forwards nothing', async () => {
    proxy.inject((r) => r.method === 'PUT', { kind: 'status', status: 503 });
    const r = await send('PUT', '/b/k', 'data');
    expect(r.status).toBe(503);
    expect(seen).toEqual([]);
    expect(proxy.requests.at(-1)!.fault).toBe('status');
  });

  it('a reset mid-request forwards nothing and the client sees a reset', async () => {
    proxy.inject(() => true, { kind: 'reset-request', afterBytes: 3 });
    const r = await send('PUT', '/b/k', 'some body');
    expect(r.status).toBeUndefined();
    expect(r.error).toMatch(/ECONNRESET|socket hang up/);
    expect(seen).toEqual([]);
  });

  it('a reset mid-response delivers the headers and the first bytes, then cuts the body', async () => {
    proxy.inject(() => true, { kind: 'reset-response', afterBytes: 100 });
    const r = await send('GET', '/b/k');
    expect(r.status).toBe(200);
    expect(r.headers?.['content-length']).toBe('1000');
    expect(r.received).toBe(100);
    expect(r.error).toMatch(/ECONNRESET|aborted/);
    expect(seen).toHaveLength(1);
  });

  it('a lost response: the upstream got the whole write, the client gets no answer', async () => {
    proxy.inject((r) => r.method === 'PUT', { kind: 'lose-response' });
    const r = await send('PUT', '/b/k', 'the write');
    expect(r.status).toBeUndefined();
    expect(r.error).toMatch(/ECONNRESET|socket hang up/);
    expect(seen).toEqual([expect.objectContaining({ method: 'PUT', body: 'the write' })]);
  });

  it('a delay still forwards the request and its answer', async () => {
    proxy.inject(() => true, { kind: 'delay', ms: 20 });
    const r = await send('GET', '/b/k');
    expect(r).toMatchObject({ status: 200, received: 1000 });
    expect(proxy.requests.at(-1)!.fault).toBe('delay');
  });

  it('rules apply to the requests they match, as many times as scripted, in order', async () => {
    proxy.inject((r) => r.key === '/b/one', { kind: 'status', status: 500 }, 2);
    proxy.inject((r) => r.key === '/b/one', { kind: 'status', status: 404 });
    const got = [];
    for (let i = 0; i < 4; i++) got.push((await send('GET', '/b/one')).status);
    expect(got).toEqual([500, 500, 404, 200]);
    expect((await send('GET', '/b/other')).status).toBe(200);
    proxy.inject(() => true, { kind: 'status', status: 500 }, Infinity);
    expect((await send('GET', '/b/x')).status).toBe(500);
    expect((await send('GET', '/b/y')).status).toBe(500);
    proxy.clear();
    expect((await send('GET', '/b/z')).status).toBe(200);
  });
});
