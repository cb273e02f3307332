import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
import { S3_CREDS, createBucket, runBin, s3Config, tempProject, writeModel, runOk } from '../support/helpers.js';
import { startStrictS3, type StrictS3 } from '../support/strict-s3.js';
import { SqliteRegistry } from '../../src/adapters/sqlite/sqlite-registry.js';
import { FsBlobStore } from '../../src/adapters/blob/fs-store.js';
import { S3BlobStore } from '../../src/adapters/blob/s3-store.js';
import { materializeVersion } from '../../src/core/artifacts/materialize.js';

let strict: StrictS3;
beforeAll(async () => {
  strict = await startStrictS3({ upstream: inject('s3Endpoint'), credentials: { S3RVER: 'S3RVER' } });
});
afterAll(() => strict.close());

describe('materializing a version as a folder of named files', () => {
  it('local store: hard links under models/<model>/<version>/, idempotent, verified', async () => {
    const dir = await tempProject();
    writeModel(dir, 'model', { 'model.onnx': 'weights', 'tokenizer/vocab.txt': 'a\nb\n' });
    await runOk(['register', 'fraud', 'model'], { cwd: dir });
    const registry = SqliteRegistry.open(join(dir, '.mlctl/registry.db'));
    const store = new FsBlobStore(join(dir, '.mlctl/artifacts'));
    const r = await materializeVersion({ registry, store }, 'fraud@1');
    expect(r).toMatchObject({
      ref: 'fraud@1',
      uri: join(dir, '.mlctl/artifacts/models/fraud/1') + '/',
      files: 2,
      copied: 2,
    });
    expect(readFileSync(join(dir, '.mlctl/artifacts/models/fraud/1/tokenizer/vocab.txt'), 'utf8')).toBe('a\nb\n');
    expect(statSync(join(dir, '.mlctl/artifacts/models/fraud/1/model.onnx')).nlink).toBeGreaterThan(1);
    expect((await materializeVersion({ registry, store }, 'fraud@1')).copied).toBe(0);
    await registry.close();
  });

  it('refuses to hand out a folder whose copy does not match the manifest', async () => {
    const dir = await tempProject();
    writeModel(dir, 'model', { 'model.onnx': 'weights' });
    await runOk(['register', 'fraud', 'model'], { cwd: dir });
    const registry = SqliteRegistry.open(join(dir, '.mlctl/registry.db'));
    const sha = (await registry.artifacts((await registry.getVersion('fraud', 1))!.id))[0]!.sha256;
    writeFileSync(join(dir, '.mlctl/artifacts/blobs/sha256', sha.slice(0, 2), sha), 'tampered');
    await expect(
      materializeVersion({ registry, store: new FsBlobStore(join(dir, '.mlctl/artifacts')) }, 'fraud@1'),
    ).rejects.toThrow(/does not match fraud@1's model.onnx after copying/);
    await registry.close();
  });

  it('S3: server-side CopyObject, no client upload of the bytes', async () => {
    const bucket = await createBucket(inject('s3Endpoint'));
    const dir = await tempProject(s3Config(bucket, strict.endpoint));
    writeModel(dir, 'model', { 'model.onnx': 'weights-on-s3', 'conf/config.json': '{}' });
    // The AWS SDK reads credentials from the real environment: register through the built binary.
    expect((await runBin(['register', 'fraud', 'model'], { cwd: dir, env: S3_CREDS })).code).toBe(0);
    const registry = SqliteRegistry.open(join(dir, '.mlctl/registry.db'));
    const old = { ...process.env };
    Object.assign(process.env, S3_CREDS);
    const store = new S3BlobStore({
      bucket,
      prefix: 'team',
      endpoint: strict.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
    });
    const before = strict.requests.length;
    const r = await materializeVersion({ registry, store }, 'fraud@1');
    process.env = old;
    expect(r.uri).toBe(`s3://${bucket}/team/models/fraud/1/`);
    const mine = strict.requests.slice(before);
    const puts = mine.filter((q) => q.method === 'PUT');
    expect(puts).toHaveLength(2);
    for (const p of puts) expect(p.headers['x-amz-copy-source']).toMatch(new RegExp(`^/?${bucket}/team/blobs/sha256/`));
    const raw = new S3Client({
      endpoint: inject('s3Endpoint'),
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const got = await raw.send(new GetObjectCommand({ Bucket: bucket, Key: 'team/models/fraud/1/model.onnx' }));
    expect(await got.Body!.transformToString()).toBe('weights-on-s3');
    raw.destroy();
    store.client.destroy();
    await registry.close();
  });
});
