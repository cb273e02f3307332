import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type * as S3SdkModule from '@aws-sdk/client-s3';
import { describeS3Cause, isRetryableS3Error, mapS3Error } from '../blob/s3-errors.js';
import { RetriesExhausted, withRetries } from '../blob/s3-retry.js';
import { openResumable } from '../blob/s3-download.js';
import { fastHead, type FastHeadTarget } from './fast-head.js';
import { parseS3Uri } from '../../core/config/s3-uri.js';
import { StorageError, UsageError } from '../../core/errors.js';
import { fsFailure, isFsError } from '../../core/util/fs-errors.js';

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
  /** The sha256 mlctl recorded with the object when it uploaded it (x-amz-meta-sha256). */
  sha256?: string;
}

export interface Downloaded {
  etag: string;
  size: number;
  /** The sha256 of the bytes written (checked against the recorded one when there is one). */
  sha256: string;
}

export interface Uploaded {
  etag: string;
  sha256: string;
  /** Set when the answer was lost but a HEAD showed that the upload had landed: what happened, for the user. */
  recovered?: string;
}

const isStatus = (err: unknown, ...codes: number[]) =>
  codes.includes((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? -1);
const isMissing = (err: unknown) =>
  isStatus(err, 404) || ['NotFound', 'NoSuchKey'].includes((err as { name?: string }).name ?? '');
export const isPreconditionFailed = (err: unknown) =>
  isStatus(err, 412) || (err as { name?: string }).name === 'PreconditionFailed';

/** Thrown by the download's error mapper when the object is gone; never reaches the user. */
const GONE = Symbol('gone');

/**
 * The objects of a shared registry: the database and its lock, with the conditional writes S3 offers.
 * Every request is retried on server errors and cut connections (by the S3 client, or here for the
 * signed HEAD); a download resumes where it was cut; an upload whose answer was lost is settled
 * with a HEAD (did our bytes land?) instead of guessing.
 */
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
      let r: RemoteHead | null | undefined;
      try {
        r = await withRetries(() => fastHead({ ...this.fast!.target, bucket: this.bucket, key }, this.fast!.env));
      } catch (err) {
        const exhausted = err instanceof RetriesExhausted;
        throw mapS3Error(exhausted ? err.last : err, this.endpoint, `HEAD ${key}`, {
          attempts: exhausted ? err.attempts : 1,
        });
      }
      if (r !== undefined) return r;
    }
    try {
      const { HeadObjectCommand } = await sdk();
      const r = await (await this.client()).send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { etag: r.ETag ?? '', size: r.ContentLength ?? 0, sha256: r.Metadata?.sha256 };
    } catch (err) {
      if (isMissing(err)) return null;
      throw mapS3Error(err, this.endpoint, `HEAD ${key}`);
    }
  }

  /**
   * Download to `path` (the caller renames it into place), resuming a cut body with ranged GETs,
   * hashing while writing. A copy whose size or sha256 disagrees with what was recorded at upload
   * is fetched once more, then refused. Null: the object does not exist.
   */
  async download(path: string): Promise<Downloaded | null> {
    const { getPart } = await import('../blob/s3-store.js');
    const client = await this.client();
    const what = `GET ${this.key}`;
    for (let pass = 1; pass <= 2; pass++) {
      let r;
      try {
        r = await openResumable(
          (from, ifMatch) => getPart(client, this.bucket, this.key, from, ifMatch),
          (err, attempts) => {
            if (isMissing(err)) return Object.assign(new Error('gone'), { gone: GONE });
            if (isPreconditionFailed(err))
              return new StorageError(
                `${this.uri} changed at ${this.endpoint} while it was being downloaded; run the command again`,
              );
            return mapS3Error(err, this.endpoint, what, { attempts });
          },
        );
      } catch (err) {
        if ((err as { gone?: symbol }).gone === GONE) return null;
        throw err;
      }
      const hash = createHash('sha256');
      const tap = new Transform({
        transform(chunk: Buffer, _e, cb) {
          hash.update(chunk);
          cb(null, chunk);
        },
      });
      try {
        await pipeline(r.body, tap, createWriteStream(path));
      } catch (err) {
        throw isFsError(err) ? fsFailure(err, `(a copy of ${this.uri})`) : mapS3Error(err, this.endpoint, what);
      }
      const sha256 = hash.digest('hex');
      const size = statSync(path).size;
      const recorded = r.metadata.sha256;
      if (size === r.size && (!recorded || recorded === sha256)) return { etag: r.etag, size, sha256 };
      if (pass === 2)
        throw new StorageError(
          `the copy of ${this.uri} downloaded from ${this.endpoint} does not match what was uploaded (${size} of ${r.size} bytes, sha256 ${sha256.slice(0, 12)}…${recorded ? `, recorded ${recorded.slice(0, 12)}…` : ''}), twice; check the server, then run the command again`,
        );
    }
    throw new StorageError(`could not download ${this.uri}; run the command again`);
  }

  /**
   * Upload `path` only if the remote is still what we based our change on (`null`: still absent).
   * The body is a buffer, so the S3 client can send it again after a 5xx or a reset (the If-Match
   * makes a repeat harmless). When the answer is lost, the repeat meets our own write and fails
   * its precondition: a HEAD then compares the remote's recorded sha256 with ours to say which it was.
   */
  async upload(path: string, basedOn: string | null): Promise<Uploaded> {
    const body = readFileSync(path);
    const sha256 = createHash('sha256').update(body).digest('hex');
    try {
      const { PutObjectCommand } = await sdk();
      const r = await (
        await this.client()
      ).send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: body,
          ContentLength: body.length,
          ContentType: 'application/vnd.sqlite3',
          Metadata: { sha256 },
          ...(basedOn === null ? { IfNoneMatch: '*' } : { IfMatch: basedOn }),
        }),
      );
      return { etag: r.ETag ?? '', sha256 };
    } catch (err) {
      const conflict = isPreconditionFailed(err);
      if (!conflict && !isRetryableS3Error(err)) throw mapS3Error(err, this.endpoint, `PUT ${this.key}`);
      let now: RemoteHead | null;
      try {
        now = await this.head();
      } catch (headErr) {
        throw new StorageError(
          `the upload of ${this.uri} to ${this.endpoint} failed (${describeS3Cause(err)}) and a HEAD to check whether it landed failed too (${describeS3Cause(headErr)}); check with mlctl registry status, and run the command again if it did not land`,
          { cause: err },
        );
      }
      if (now?.sha256 === sha256)
        return {
          etag: now.etag,
          sha256,
          recovered: `the answer to the upload of ${this.uri} was lost (${describeS3Cause(err)}); a HEAD shows that it landed (ETag ${now.etag})`,
        };
      if (conflict) throw err;
      throw new StorageError(
        `the upload of ${this.uri} to ${this.endpoint} failed (${describeS3Cause(err)}${attemptsOf(err)}); a HEAD shows that it did not land: the shared registry is unchanged${now ? ` (ETag ${now.etag})` : ''}, nothing was written — run the command again`,
        { cause: err },
      );
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

const attemptsOf = (err: unknown) => {
  const n = (err as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
  return n > 1 ? `, ${n} attempts` : '';
};

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
