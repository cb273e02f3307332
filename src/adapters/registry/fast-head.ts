import { createHash, createHmac } from 'node:crypto';
import type { RemoteHead } from './s3-remote.js';

export interface FastHeadTarget {
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  bucket: string;
  key: string;
}

const sha256hex = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
/** RFC 3986 encoding of one path segment, as SigV4 for S3 wants it (encoded once). */
const encodeSegment = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * AWS Signature Version 4 headers for a bodiless request (the steps of the AWS documentation:
 * canonical request → string to sign → signing key → signature). Written out here because this is
 * the one request of a read: loading a signing library cost 40 ms, the S3 client 100 ms.
 */
export function signV4(o: {
  method: string;
  url: URL;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  now: Date;
}): Record<string, string> {
  const amzDate = o.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    host: o.url.host,
    'x-amz-content-sha256': EMPTY_SHA256,
    'x-amz-date': amzDate,
  };
  if (o.sessionToken) headers['x-amz-security-token'] = o.sessionToken;
  const names = Object.keys(headers).sort();
  const canonical = [
    o.method,
    o.url.pathname,
    '',
    ...names.map((n) => `${n}:${headers[n]!.trim()}`),
    '',
    names.join(';'),
    EMPTY_SHA256,
  ].join('\n');
  const scope = `${day}/${o.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${o.secretAccessKey}`, day), o.region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${o.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * The read path's one request (HEAD of the registry object), signed with SigV4 without loading the
 * S3 client (~100 ms of start-up). Only when the credentials are in the environment (CI, OIDC via
 * configure-aws-credentials, tests); otherwise undefined, and the caller uses the full AWS chain.
 * Errors come back shaped like the SDK's (a network error with its code, or `$metadata.httpStatusCode`)
 * so that the caller retries and words them the same way.
 */
export async function fastHead(
  t: FastHeadTarget,
  env: Record<string, string | undefined>,
): Promise<RemoteHead | null | undefined> {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  const path = t.key.split('/').map(encodeSegment).join('/');
  const url = t.endpoint
    ? new URL(
        t.forcePathStyle
          ? `${t.endpoint.replace(/\/+$/, '')}/${encodeSegment(t.bucket)}/${path}`
          : `${t.endpoint.replace(/\/\/([^/]+)/, `//${t.bucket}.$1`).replace(/\/+$/, '')}/${path}`,
      )
    : new URL(`https://${t.bucket}.s3.${t.region}.amazonaws.com/${path}`);
  const headers = signV4({
    method: 'HEAD',
    url,
    region: t.region,
    accessKeyId,
    secretAccessKey,
    sessionToken: env.AWS_SESSION_TOKEN || undefined,
    now: new Date(),
  }); // the real clock: a signature dated by MLCTL_NOW would be refused
  // node:http rather than fetch: fetch refuses some ports (1, 6000, …) that S3-compatible servers may use.
  const mod = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const res = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>(
    (resolve, reject) => {
      const req = mod.request(url, { method: 'HEAD', headers, timeout: 15_000 }, (r) => {
        r.resume();
        r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers }));
        r.on('error', reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end();
    },
  );
  if (res.status === 404) return null;
  if (res.status !== 200)
    throw Object.assign(new Error(`HTTP ${res.status}`), {
      name: 'Unknown',
      $metadata: { httpStatusCode: res.status },
    });
  const sha = res.headers['x-amz-meta-sha256'];
  return {
    etag: String(res.headers.etag ?? ''),
    size: Number(res.headers['content-length'] ?? 0),
    sha256: typeof sha === 'string' ? sha : undefined,
  };
}
