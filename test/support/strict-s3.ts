import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySigV4 } from './sigv4.js';
import { MultipartBook } from './strict-s3-multipart.js';

/**
 * A strict layer in front of s3rver (test code). s3rver ignores signatures, checksums and
 * conditional writes; AWS, MinIO and R2 enforce them, so the tests need a server that does too:
 * - SigV4: unknown access key → 403 InvalidAccessKeyId, wrong secret → 403 SignatureDoesNotMatch;
 * - x-amz-content-sha256, x-amz-checksum-sha256 and x-amz-checksum-crc32 are checked against the
 *   body → 400 BadDigest;
 * - If-None-Match: * and If-Match: <etag> on PUT, and If-Match on DELETE → 412 PreconditionFailed
 *   (serialized per key); If-Match on GET → 412 when the object changed (a resumed ranged download);
 * - every request is counted, and hooks can delay or fail requests to simulate slow or broken servers;
 * - ListMultipartUploads and AbortMultipartUpload, which s3rver lacks (strict-s3-multipart.ts).
 */
export interface RequestInfo {
  method: string;
  key: string;
  query: string;
  headers: IncomingMessage['headers'];
}

export interface StrictS3Options {
  upstream: string;
  credentials: Record<string, string>;
  /** Called before forwarding; may return a delay in ms or a status to answer with instead. */
  hook?: (
    r: RequestInfo,
  ) => Promise<{ delayMs?: number; status?: number } | void> | { delayMs?: number; status?: number } | void;
}

export interface StrictS3 {
  endpoint: string;
  requests: RequestInfo[];
  close(): Promise<void>;
}

function xmlError(res: ServerResponse, status: number, code: string, message: string) {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(
  upstream: URL,
  req: IncomingMessage,
  body: Buffer,
  method = req.method!,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {
      ...req.headers,
      host: upstream.host,
      'content-length': String(body.length),
    };
    delete headers['transfer-encoding'];
    if (method === 'HEAD') {
      // A probe for the current state of the key: no preconditions, no body headers.
      for (const h of ['if-none-match', 'if-match', 'range', 'content-type', 'content-md5', 'x-amz-checksum-sha256'])
        delete headers[h];
      headers['content-length'] = '0';
    }
    const r = http.request({ host: upstream.hostname, port: upstream.port, method, path: req.url, headers }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => resolve({ status: up.statusCode ?? 502, headers: up.headers, body: Buffer.concat(chunks) }));
      up.on('error', reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

export async function startStrictS3(o: StrictS3Options): Promise<StrictS3> {
  const upstream = new URL(o.upstream);
  const requests: RequestInfo[] = [];
  const keyLocks = new Map<string, Promise<void>>();
  const multipart = new MultipartBook();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const info: RequestInfo = {
      method: req.method ?? 'GET',
      key: decodeURIComponent(q < 0 ? url : url.slice(0, q)),
      query: q < 0 ? '' : url.slice(q + 1),
      headers: req.headers,
    };
    requests.push(info);
    const body = await readBody(req);
    const sig = verifySigV4({ method: info.method, url, headers: req.headers }, o.credentials);
    if (!sig.ok) return xmlError(res, 403, sig.code, sig.message);
    const declared = req.headers['x-amz-content-sha256'];
    if (
      typeof declared === 'string' &&
      /^[0-9a-f]{64}$/.test(declared) &&
      createHash('sha256').update(body).digest('hex') !== declared
    ) {
      return xmlError(
        res,
        400,
        'XAmzContentSHA256Mismatch',
        'The provided x-amz-content-sha256 header does not match what was computed.',
      );
    }
    const sum = req.headers['x-amz-checksum-sha256'];
    if (typeof sum === 'string' && createHash('sha256').update(body).digest('base64') !== sum) {
      return xmlError(res, 400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
    }
    const crc = req.headers['x-amz-checksum-crc32'];
    if (typeof crc === 'string' && crc32Base64(body) !== crc) {
      return xmlError(res, 400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.');
    }
    const h = await o.hook?.(info);
    if (h?.delayMs) await new Promise((r) => setTimeout(r, h.delayMs));
    if (h?.status)
      return xmlError(res, h.status, h.status === 403 ? 'AccessDenied' : 'InternalError', 'injected by the test');
    if (multipart.answer(info.method, info.key, info.query, res)) return;

    const conditional =
      (info.method === 'PUT' &&
        (req.headers['if-none-match'] !== undefined || req.headers['if-match'] !== undefined)) ||
      ((info.method === 'DELETE' || info.method === 'GET') && req.headers['if-match'] !== undefined);
    const run = async () => {
      if (conditional) {
        const head = await forward(upstream, req, Buffer.alloc(0), 'HEAD');
        const exists = head.status === 200;
        const etag = head.headers.etag;
        if (req.headers['if-none-match'] === '*' && exists)
          return xmlError(
            res,
            412,
            'PreconditionFailed',
            'At least one of the pre-conditions you specified did not hold',
          );
        const want = req.headers['if-match'];
        if (want !== undefined && (!exists || want !== etag))
          return xmlError(
            res,
            412,
            'PreconditionFailed',
            'At least one of the pre-conditions you specified did not hold',
          );
        if (info.method !== 'PUT') delete req.headers['if-match'];
      }
      const up = await forward(upstream, req, body);
      multipart.observe(info.method, info.key, info.query, up.status, up.body);
      const headers = { ...up.headers };
      delete headers['transfer-encoding'];
      // A HEAD answer has no body but keeps the object's Content-Length.
      if (info.method !== 'HEAD') headers['content-length'] = String(up.body.length);
      res.writeHead(up.status, headers);
      res.end(up.body);
    };
    if (!conditional) return run();
    // Conditional writes to one key are serialized so check-then-write is atomic, as on S3.
    const prev = keyLocks.get(info.key) ?? Promise.resolve();
    const mine = prev.then(run, run);
    keyLocks.set(
      info.key,
      mine.then(
        () => undefined,
        () => undefined,
      ),
    );
    return mine;
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) xmlError(res, 502, 'BadGateway', String(err));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function crc32Base64(body: Buffer): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(body));
  return b.toString('base64');
}
