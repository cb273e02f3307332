import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type * as S3SdkModule from '@aws-sdk/client-s3';
import { mapS3Error } from '../blob/s3-errors.js';
import { fastHead, type FastHeadTarget } from './fast-head.js';
import { parseS3Uri } from '../../core/config/s3-uri.js';
import { UsageError } from '../../core/errors.js';

/** The S3 client and its commands load on first use: a read of an unchanged registry needs neither. */
type S3Sdk = typeof S3SdkModule;
const sdk = async (): Promise<S3Sdk> => {
  const m = (await import('@aws-sdk/client-s3')) as S3Sdk & { default?: S3Sdk };
  // CommonJS under the bundler: the exports may sit on the default export.
  return m.PutObjectCommand ? m : m.default!;
};

export interface RemoteHead {
  etag: string;
  size: number;
}

const isStatus = (err: unknown, ...codes: number[]) =>
  codes.includes((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? -1);
const isMissing = (err: unknown) =>
  isStatus(err, 404) || ['NotFound', 'NoSuchKey'].includes((err as { name?: string }).name ?? '');
export const isPreconditionFailed = (err: unknown) =>
  isStatus(err, 412) || (err as { name?: string }).name === 'PreconditionFailed';

/** The objects of a shared registry: the database and its lock, with the conditional writes S3 offers. */
export class S3Remote {
  private clientPromise: Promise<S3Client> | undefined;

  constructor(
    private readonly makeClient: () => Promise<S3Client>,
    readonly bucket: string,
    readonly key: string,
    readonly endpoint: string,
    /** Connection settings and environment for the signed HEAD that skips loading the SDK. */
    private readonly fast?: { target: Omit<FastHeadTarget, 'bucket' | 'key'>; env: Record<string, string | undefined> },
  ) {}

  private client(): Promise<S3Client> {
    this.clientPromise ??= this.makeClient();
    return this.clientPromise;
  }

  get uri(): string {
    return `s3://${this.bucket}/${this.key}`;
  }

  async head(key = this.key): Promise<RemoteHead | null> {
    if (this.fast && key === this.key && !this.clientPromise) {
      const r = await fastHead({ ...this.fast.target, bucket: this.bucket, key }, this.fast.env);
      if (r !== undefined) return r;
    }
    try {
      const { HeadObjectCommand } = await sdk();
      const r = await (await this.client()).send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { etag: r.ETag ?? '', size: r.ContentLength ?? 0 };
    } catch (err) {
      if (isMissing(err)) return null;
      throw mapS3Error(err, this.endpoint, `HEAD ${key}`);
    }
  }

  /** Download to `path` (the caller renames it into place); returns the ETag of what was read. */
  async download(path: string): Promise<RemoteHead | null> {
    try {
      const { GetObjectCommand } = await sdk();
      const r = await (await this.client()).send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
      await pipeline(r.Body as Readable, createWriteStream(path));
      return { etag: r.ETag ?? '', size: statSync(path).size };
    } catch (err) {
      if (isMissing(err)) return null;
      throw mapS3Error(err, this.endpoint, `GET ${this.key}`);
    }
  }

  /** Upload `path` only if the remote is still what we based our change on (`null`: still absent). */
  async upload(path: string, basedOn: string | null): Promise<string> {
    const size = statSync(path).size;
    try {
      const { PutObjectCommand } = await sdk();
      const r = await (
        await this.client()
      ).send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: createReadStream(path),
          ContentLength: size,
          ContentType: 'application/vnd.sqlite3',
          ...(basedOn === null ? { IfNoneMatch: '*' } : { IfMatch: basedOn }),
        }),
      );
      return r.ETag ?? '';
    } catch (err) {
      if (isPreconditionFailed(err)) throw err;
      throw mapS3Error(err, this.endpoint, `PUT ${this.key}`);
    }
  }

  /** Create (or, with `replacing`, take over) an object atomically; throws PreconditionFailed when someone was first. */
  async putSmall(
    key: string,
    body: string,
    cond: { ifNoneMatch: true } | { ifMatch: string } | Record<string, never>,
  ): Promise<string> {
    try {
      const { PutObjectCommand } = await sdk();
      const r = await (
        await this.client()
      ).send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
          ...('ifNoneMatch' in cond ? { IfNoneMatch: '*' } : {}),
          ...('ifMatch' in cond ? { IfMatch: cond.ifMatch } : {}),
        }),
      );
      return r.ETag ?? '';
    } catch (err) {
      if (isPreconditionFailed(err)) throw err;
      throw mapS3Error(err, this.endpoint, `PUT ${key}`);
    }
  }

  async getSmall(key: string): Promise<{ body: string; etag: string } | null> {
    try {
      const { GetObjectCommand } = await sdk();
      const r = await (await this.client()).send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        body: await (r.Body as { transformToString(): Promise<string> }).transformToString(),
        etag: r.ETag ?? '',
      };
    } catch (err) {
      if (isMissing(err)) return null;
      throw mapS3Error(err, this.endpoint, `GET ${key}`);
    }
  }

  async delete(key: string, ifMatch?: string): Promise<void> {
    try {
      const { DeleteObjectCommand } = await sdk();
      await (
        await this.client()
      ).send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, ...(ifMatch ? { IfMatch: ifMatch } : {}) }));
    } catch (err) {
      if (isMissing(err)) return;
      if (isPreconditionFailed(err)) throw err;
      throw mapS3Error(err, this.endpoint, `DELETE ${key}`);
    }
  }
}

/** The S3 objects of the shared registry at `uri` (s3://bucket/key), reached with the configured `s3` settings. */
export function sharedRemote(
  uri: string,
  s3: Omit<FastHeadTarget, 'bucket' | 'key'>,
  env: Record<string, string | undefined>,
): S3Remote {
  const { bucket, prefix } = parseS3Uri(uri);
  if (!prefix || prefix.endsWith('/'))
    throw new UsageError(`registry ${uri}: name the database object, e.g. s3://${bucket}/mlctl/registry.db`);
  const makeClient = async () => (await import('../blob/s3-store.js')).makeS3Client(s3);
  return new S3Remote(makeClient, bucket, prefix, s3.endpoint ?? `S3 (${s3.region})`, { target: s3, env });
}
