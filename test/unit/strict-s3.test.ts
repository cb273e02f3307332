import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  S3Client,
  PutObjectCommand,
  GetObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  CompleteMultipartUploadCommand,
  AbortMultipartUploadCommand,
  ListMultipartUploadsCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { startStrictS3, type StrictS3 } from '../support/strict-s3.js';
import { createBucket } from '../support/helpers.js';

// The strict layer is test code that other tests rely on to prove auth, checksum and
// conditional-write behaviour, so it is tested against the real SDK here.
let strict: StrictS3;
let bucket: string;
const client = (secret = 'S3RVER', akid = 'S3RVER') =>
  new S3Client({
    endpoint: strict.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: akid, secretAccessKey: secret },
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });

beforeAll(async () => {
  bucket = await createBucket(inject('s3Endpoint'));
  strict = await startStrictS3({ upstream: inject('s3Endpoint'), credentials: { S3RVER: 'S3RVER' } });
});
afterAll(() => strict.close());

describe('strict S3 test layer', () => {
  it('accepts correctly signed requests and round-trips bytes', async () => {
    const c = client();
    await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/b c.txt', Body: 'hello' }));
    const r = await c.send(new GetObjectCommand({ Bucket: bucket, Key: 'a/b c.txt' }));
    expect(await r.Body!.transformToString()).toBe('hello');
  });
  it('rejects a wrong secret and an unknown key id', async () => {
    await expect(
      client('wrong').send(new PutObjectCommand({ Bucket: bucket, Key: 'x', Body: 'x' })),
    ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    await expect(
      client('S3RVER', 'NOPE').send(new PutObjectCommand({ Bucket: bucket, Key: 'x', Body: 'x' })),
    ).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
  });
  it('checks x-amz-checksum-sha256', async () => {
    const good = createHash('sha256').update('data').digest('base64');
    const bad = createHash('sha256').update('other').digest('base64');
    await client().send(new PutObjectCommand({ Bucket: bucket, Key: 'ok', Body: 'data', ChecksumSHA256: good }));
    await expect(
      client().send(new PutObjectCommand({ Bucket: bucket, Key: 'bad', Body: 'data', ChecksumSHA256: bad })),
    ).rejects.toMatchObject({ name: 'BadDigest' });
  });

  it('checks x-amz-checksum-crc32 (multipart parts carry one)', async () => {
    const crc = (s: string) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(crc32(s));
      return b.toString('base64');
    };
    await client().send(
      new PutObjectCommand({ Bucket: bucket, Key: 'ok32', Body: 'data', ChecksumCRC32: crc('data') }),
    );
    await expect(
      client().send(new PutObjectCommand({ Bucket: bucket, Key: 'bad32', Body: 'data', ChecksumCRC32: crc('other') })),
    ).rejects.toMatchObject({ name: 'BadDigest' });
  });
  it('enforces If-None-Match: * and If-Match', async () => {
    const c = client();
    const first = await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'lock', Body: '1', IfNoneMatch: '*' }));
    await expect(
      c.send(new PutObjectCommand({ Bucket: bucket, Key: 'lock', Body: '2', IfNoneMatch: '*' })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    await expect(
      c.send(new PutObjectCommand({ Bucket: bucket, Key: 'lock', Body: '3', IfMatch: '"nope"' })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'lock', Body: '4', IfMatch: first.ETag }));
    const r = await c.send(new GetObjectCommand({ Bucket: bucket, Key: 'lock' }));
    expect(await r.Body!.transformToString()).toBe('4');
  });
  it('lets exactly one of many racing If-None-Match writers win', async () => {
    const c = client();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        c.send(new PutObjectCommand({ Bucket: bucket, Key: 'race', Body: String(i), IfNoneMatch: '*' })),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
  it('answers a GET with If-Match on a changed object with 412 (a resumed download must not mix versions)', async () => {
    const c = client();
    const v1 = await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'ranged', Body: 'version one' }));
    const part = await c.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'ranged', Range: 'bytes=8-', IfMatch: v1.ETag }),
    );
    expect(await part.Body!.transformToString()).toBe('one');
    await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'ranged', Body: 'version two' }));
    await expect(
      c.send(new GetObjectCommand({ Bucket: bucket, Key: 'ranged', Range: 'bytes=8-', IfMatch: v1.ETag })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
  });
  it('lists incomplete multipart uploads and aborts them (s3rver has neither)', async () => {
    const c = client();
    const list = async (Prefix: string) =>
      ((await c.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix }))).Uploads ?? []).map((u) => u.Key);
    const left = await c.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp/left' }));
    await c.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'mp/left', UploadId: left.UploadId, PartNumber: 1, Body: 'part' }),
    );
    const done = await c.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp/done' }));
    const part = await c.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'mp/done', UploadId: done.UploadId, PartNumber: 1, Body: 'x' }),
    );
    await c.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp/done',
        UploadId: done.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect(await list('mp/')).toEqual(['mp/left']);
    expect(await list('other/')).toEqual([]);
    const [u] = (await c.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'mp/' }))).Uploads!;
    expect(u!.UploadId).toBe(left.UploadId);
    expect(u!.Initiated).toBeInstanceOf(Date);
    await c.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'mp/left', UploadId: left.UploadId }));
    expect(await list('mp/')).toEqual([]);
    await expect(
      c.send(
        new UploadPartCommand({ Bucket: bucket, Key: 'mp/left', UploadId: left.UploadId, PartNumber: 2, Body: 'late' }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' });
  });
});
