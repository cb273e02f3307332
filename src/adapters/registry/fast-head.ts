import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { AuthError, StorageError } from '../../core/errors.js';
import type { RemoteHead } from './s3-remote.js';

export interface FastHeadTarget {
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  bucket: string;
  key: string;
}

/** SHA-256 (and HMAC) for the SigV4 signer, from node:crypto. */
type Source = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Source) => (typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength));

class NodeSha256 {
  private h: Hash | Hmac;
  private readonly secret?: string | Uint8Array;
  constructor(secret?: Source) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.h = this.secret ? createHmac('sha256', this.secret) : createHash('sha256');
  }
  update(data: Source): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    this.h = this.secret ? createHmac('sha256', this.secret) : createHash('sha256');
  }
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * The read path's one request (HEAD of the registry object), signed with SigV4 without loading the
 * S3 client (~100 ms of start-up). Only when the credentials are in the environment (CI, OIDC via
 * configure-aws-credentials, tests); otherwise undefined, and the caller uses the full AWS chain.
 */
export async function fastHead(t: FastHeadTarget, env: Record<string, string | undefined>): Promise<RemoteHead | null | undefined> {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  const path = t.key.split('/').map(encodeURIComponent).join('/');
  const url = t.endpoint
    ? new URL(t.forcePathStyle ? `${t.endpoint.replace(/\/+$/, '')}/${t.bucket}/${path}` : `${t.endpoint.replace(/\/\/([^/]+)/, `//${t.bucket}.$1`).replace(/\/+$/, '')}/${path}`)
    : new URL(`https://${t.bucket}.s3.${t.region}.amazonaws.com/${path}`);
  // CommonJS under the bundler: the class may sit on the default export.
  const mod = (await import('@smithy/signature-v4')) as typeof import('@smithy/signature-v4') & { default?: typeof import('@smithy/signature-v4') };
  const SignatureV4 = mod.SignatureV4 ?? mod.default!.SignatureV4;
  const signer = new SignatureV4({
    service: 's3',
    region: t.region,
    sha256: NodeSha256,
    uriEscapePath: false,
    credentials: { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined },
  });
  const signed = await signer.sign({
    method: 'HEAD',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: {},
    headers: { host: url.host, 'x-amz-content-sha256': EMPTY_SHA256 },
  });
  const endpoint = t.endpoint ?? `S3 (${t.region})`;
  // node:http rather than fetch: fetch refuses some ports (1, 6000, …) that S3-compatible servers may use.
  let res: { status: number; headers: Record<string, string | string[] | undefined> };
  try {
    const mod = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
    res = await new Promise((resolve, reject) => {
      const req = mod.request(url, { method: 'HEAD', headers: signed.headers as Record<string, string>, timeout: 15_000 }, (r) => {
        r.resume();
        r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers }));
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end();
    });
  } catch (err) {
    const e = err as Error & { code?: string };
    throw new StorageError(`cannot reach S3 endpoint ${endpoint} (${e.code ?? e.message}) during HEAD ${t.key}; check s3.endpoint and that the server is up`, { cause: err });
  }
  if (res.status === 404) return null;
  if (res.status === 403 || res.status === 401) throw new AuthError(`${endpoint} refused HEAD ${t.key} (HTTP ${res.status}); check the AWS credentials and the bucket policy`);
  if (res.status !== 200) throw new StorageError(`S3 HEAD ${t.key} failed at ${endpoint}: HTTP ${res.status}`);
  return { etag: String(res.headers.etag ?? ''), size: Number(res.headers['content-length'] ?? 0) };
}
