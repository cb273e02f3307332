import { createHash } from 'node:crypto';
import {
  S3Client,
  HeadObjectCommand,
  PutObjectCommand,
  GetObjectCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
  CompleteMultipartUploadCommand,
  AbortMultipartUploadCommand,
  ListMultipartUploadsCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { multipartUpload } from './s3-multipart.js';
import { checkWhole, readSmall } from './content-check.js';
import { withPayloadSha256 } from './payload-hash.js';
import { StorageError } from '../../core/errors.js';
import type { BlobInfo, BlobStore, PartialUpload, PutProgress } from '../../ports/blob-store.js';
import { mapS3Error } from './s3-errors.js';
import { mapLimit } from '../../core/util/map-limit.js';
import { openResumable, totalSize, type GetPart } from './s3-download.js';
import type { Readable } from 'node:stream';

export interface S3StoreOptions {
  bucket: string;
  prefix: string;
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  /** Part size for multipart uploads (16 MiB: the fastest measured here against local servers). */
  partSize?: number;
  queueSize?: number;
  /** Keys per LIST page (S3's MaxKeys; at most 1,000, the default). */
  listPageKeys?: number;
}

export const DEFAULT_PART_SIZE = 16 * 1024 * 1024;
/** statMany(): below this many keys a HEAD each is cheapest; above, LIST pages while a page costs less than HEADS_PER_PAGE HEADs. */
const LIST_FROM_KEYS = 32;
const HEADS_PER_PAGE = 16;

/** The folder (ending in '/') that holds every key, or '' for the store's root. */
function commonFolder(keys: readonly string[]): string {
  let common = keys[0] ?? '';
  for (const k of keys) {
    let i = 0;
    while (i < common.length && i < k.length && common[i] === k[i]) i++;
    common = common.slice(0, i);
  }
  return common.slice(0, common.lastIndexOf('/') + 1);
}

/** CopyObject's limit; larger objects are copied in parts. */
const MAX_SINGLE_COPY = 5 * 1024 * 1024 * 1024;

export function makeS3Client(o: Pick<S3StoreOptions, 'endpoint' | 'region' | 'forcePathStyle'>): S3Client {
  const cfg: S3ClientConfig = {
    region: o.region,
    forcePathStyle: o.forcePathStyle,
    // Checksums only where we ask for them: streaming trailers (aws-chunked) are mangled by some
    // S3-compatible servers; we attach sha256 ourselves where we know it.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
  };
  if (o.endpoint) cfg.endpoint = o.endpoint;
  return new S3Client(cfg);
}

/** One GET of `key` from byte `from` (a Range), only while the object still has ETag `ifMatch`. */
export async function getPart(
  client: S3Client,
  bucket: string,
  key: string,
  from: number,
  ifMatch?: string,
): Promise<GetPart> {
  const g = await client.send(
    new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      ...(from > 0 ? { Range: `bytes=${from}-` } : {}),
      ...(ifMatch ? { IfMatch: ifMatch } : {}),
    }),
  );
  const start = g.ContentRange ? from : 0;
  return {
    body: g.Body as Readable,
    etag: g.ETag ?? '',
    total: totalSize(g.ContentRange, g.ContentLength, start),
    start,
    metadata: g.Metadata ?? {},
  };
}

export class S3BlobStore implements BlobStore {
  readonly location: string;
  readonly client: S3Client;
  readonly multipartPartSize: number;
  private readonly endpointName: string;

  constructor(
    private readonly o: S3StoreOptions,
    client?: S3Client,
  ) {
    this.location = `s3://${o.bucket}${o.prefix ? `/${o.prefix}` : ''}`;
    this.endpointName = o.endpoint ?? `S3 (${o.region})`;
    this.client = client ?? makeS3Client(o);
    this.multipartPartSize = o.partSize ?? DEFAULT_PART_SIZE;
  }

  private key(k: string): string {
    return this.o.prefix ? `${this.o.prefix}/${k}` : k;
  }

  private fail(err: unknown, what: string): never {
    throw mapS3Error(err, this.endpointName, what);
  }

  async stat(key: string): Promise<BlobInfo | undefined> {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.o.bucket, Key: this.key(key) }));
      return { key, size: r.ContentLength ?? 0, lastModified: r.LastModified };
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
      this.fail(err, `HEAD ${this.key(key)}`);
    }
  }

  async putFile(
    key: string,
    file: string,
    size: number,
    sha256: string,
    opts: { onProgress?: PutProgress } = {},
  ): Promise<void> {
    const partSize = this.multipartPartSize;
    if (size <= partSize) {
      // One request. The body is hashed again as read: the key must name the bytes actually sent
      // (not a digest from before, or from the hash cache), and servers able to check verify it.
      const body = await readSmall(file, size);
      checkWhole(file, createHash('sha256').update(body), sha256);
      try {
        await this.client.send(
          withPayloadSha256(
            new PutObjectCommand({
              Bucket: this.o.bucket,
              Key: this.key(key),
              Body: body,
              ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
              Metadata: { sha256 },
            }),
            sha256,
          ),
        );
      } catch (err) {
        this.fail(err, `upload of ${file}`);
      }
      opts.onProgress?.(size);
      return;
    }
    try {
      await multipartUpload({
        client: this.client,
        bucket: this.o.bucket,
        key: this.key(key),
        file,
        size,
        sha256,
        partSize,
        queueSize: this.o.queueSize ?? 4,
        onProgress: opts.onProgress,
      });
    } catch (err) {
      this.fail(err, `multipart upload of ${file}`);
    }
  }

  async putBytes(key: string, body: Uint8Array, contentType = 'application/octet-stream'): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.o.bucket, Key: this.key(key), Body: body, ContentType: contentType }),
      );
    } catch (err) {
      this.fail(err, `PUT ${this.key(key)}`);
    }
  }

  /**
   * The object's bytes; a body cut by a reset or a premature end is resumed with a ranged GET
   * pinned to the object's ETag, so a flaky network costs a retry, not the whole download.
   */
  async getStream(key: string): Promise<NodeJS.ReadableStream> {
    const k = this.key(key);
    const r = await openResumable(
      (from, ifMatch) => getPart(this.client, this.o.bucket, k, from, ifMatch),
      (err, attempts) => {
        const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404)
          return new StorageError(`${this.location}/${key} is missing from the artifact store`);
        if (e.$metadata?.httpStatusCode === 412)
          return new StorageError(
            `${this.location}/${key} changed at ${this.endpointName} while it was being downloaded; run the command again`,
          );
        return mapS3Error(err, this.endpointName, `GET ${k}`, { attempts });
      },
    );
    return r.body;
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: this.key(key) }));
      return await r.Body!.transformToByteArray();
    } catch (err) {
      const e = err as { name?: string };
      if (e.name === 'NoSuchKey' || e.name === 'NotFound') return undefined;
      this.fail(err, `GET ${this.key(key)}`);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.o.bucket, Key: this.key(key) }));
    } catch (err) {
      this.fail(err, `DELETE ${this.key(key)}`);
    }
  }

  async copy(fromKey: string, toKey: string, size: number): Promise<void> {
    try {
      if (size <= MAX_SINGLE_COPY) {
        await this.client.send(
          new CopyObjectCommand({
            Bucket: this.o.bucket,
            Key: this.key(toKey),
            CopySource: `${this.o.bucket}/${encodeURI(this.key(fromKey))}`,
          }),
        );
        return;
      }
      // Above 5 GiB S3 needs a multipart copy: UploadPartCopy ranges, aborted on failure.
      const created = await this.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.o.bucket, Key: this.key(toKey) }),
      );
      const uploadId = created.UploadId!;
      try {
        const part = 512 * 1024 * 1024;
        const parts = [];
        for (let i = 0, off = 0; off < size; i++, off += part) {
          const end = Math.min(size, off + part) - 1;
          const r = await this.client.send(
            new UploadPartCopyCommand({
              Bucket: this.o.bucket,
              Key: this.key(toKey),
              UploadId: uploadId,
              PartNumber: i + 1,
              CopySource: `${this.o.bucket}/${encodeURI(this.key(fromKey))}`,
              CopySourceRange: `bytes=${off}-${end}`,
            }),
          );
          parts.push({ PartNumber: i + 1, ETag: r.CopyPartResult?.ETag });
        }
        await this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.o.bucket,
            Key: this.key(toKey),
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
        );
      } catch (err) {
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: this.o.bucket, Key: this.key(toKey), UploadId: uploadId }))
          .catch(() => undefined);
        throw err;
      }
    } catch (err) {
      this.fail(err, `copy of ${this.key(fromKey)} to ${this.key(toKey)}`);
    }
  }

  uriOf(key: string): string {
    return `s3://${this.o.bucket}/${this.key(key)}`;
  }

  async *list(prefix: string): AsyncIterable<BlobInfo> {
    for await (const page of this.pages(prefix)) yield* page.items;
  }

  /** ListObjectsV2 pages under a key prefix; `last` marks the final one. */
  private async *pages(prefix: string): AsyncIterable<{ items: BlobInfo[]; last: boolean }> {
    const full = this.key(prefix);
    const strip = this.o.prefix ? this.o.prefix.length + 1 : 0;
    let token: string | undefined;
    // Bounded: each page advances the continuation token; S3 ends with IsTruncated=false.
    for (let page = 0; page < 1_000_000; page++) {
      let r;
      try {
        r = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.o.bucket,
            Prefix: full,
            ContinuationToken: token,
            MaxKeys: this.o.listPageKeys,
          }),
        );
      } catch (err) {
        this.fail(err, `LIST ${full}`);
      }
      const items: BlobInfo[] = [];
      for (const o of r.Contents ?? []) {
        if (o.Key) items.push({ key: o.Key.slice(strip), size: o.Size ?? 0, lastModified: o.LastModified });
      }
      const last = !r.IsTruncated || !r.NextContinuationToken;
      yield { items, last };
      if (last) return;
      token = r.NextContinuationToken;
    }
  }

  /**
   * Many keys (register's blobs, checked before uploading and again under the write lock): LIST
   * their common folder while that costs less than a HEAD per key — one page answers for up to
   * 1,000 keys, and AWS prices a LIST like 12.5 HEADs — then HEAD whatever the pages did not reach.
   * LIST is as consistent as HEAD on S3 (strong read-after-write and after-delete, since 2020).
   */
  async statMany(keys: readonly string[]): Promise<(BlobInfo | undefined)[]> {
    if (keys.length < LIST_FROM_KEYS) return mapLimit(keys, 32, (k) => this.stat(k));
    const found = new Map<string, BlobInfo>();
    const budget = Math.floor(keys.length / HEADS_PER_PAGE);
    let complete = false;
    let pages = 0;
    for await (const page of this.pages(commonFolder(keys))) {
      for (const o of page.items) found.set(o.key, o);
      complete = page.last;
      if (++pages >= budget) break;
    }
    if (complete) return keys.map((k) => found.get(k));
    return mapLimit(keys, 32, async (k) => found.get(k) ?? (await this.stat(k)));
  }

  /** Incomplete multipart uploads under the prefix (a killed register's); their parts cost storage until aborted. */
  async *listPartial(): AsyncIterable<PartialUpload> {
    const full = this.o.prefix ? `${this.o.prefix}/` : '';
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    // Bounded: each page advances the markers; S3 ends with IsTruncated=false.
    for (let page = 0; page < 100_000; page++) {
      let r;
      try {
        r = await this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.o.bucket,
            Prefix: full,
            KeyMarker: keyMarker,
            UploadIdMarker: idMarker,
          }),
        );
      } catch (err) {
        this.fail(err, `LIST multipart uploads under ${full || '/'}`);
      }
      for (const u of r.Uploads ?? []) {
        if (u.Key && u.UploadId) yield { key: u.Key.slice(full.length), id: u.UploadId, startedAt: u.Initiated };
      }
      if (!r.IsTruncated) return;
      keyMarker = r.NextKeyMarker;
      idMarker = r.NextUploadIdMarker;
      if (!keyMarker && !idMarker) return;
    }
  }

  async removePartial(p: PartialUpload): Promise<void> {
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({ Bucket: this.o.bucket, Key: this.key(p.key), UploadId: p.id }),
      );
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchUpload') return;
      this.fail(err, `abort of the multipart upload ${p.id} of ${this.key(p.key)}`);
    }
  }
}
