import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { S3Client } from '@aws-sdk/client-s3';
import { S3BlobStore } from '../../src/adapters/blob/s3-store.js';
import { createBucket } from '../support/helpers.js';
import { startStrictS3, type StrictS3 } from '../support/strict-s3.js';

// register checks its blobs twice (before uploading, and under the write lock); for many blobs the
// S3 store answers with LIST pages instead of a HEAD per blob, and HEADs what the pages left out.

let strict: StrictS3;
beforeAll(async () => {
  strict = await startStrictS3({ upstream: inject('s3Endpoint'), credentials: { S3RVER: 'S3RVER' } });
});
afterAll(() => strict.close());

async function store(listPageKeys: number) {
  const bucket = await createBucket(inject('s3Endpoint'));
  const client = new S3Client({
    endpoint: strict.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const s = new S3BlobStore(
    { bucket, prefix: 'team', region: 'us-east-1', forcePathStyle: true, listPageKeys },
    client,
  );
  return { s, client };
}

const key = (i: number) => `blobs/sha256/${(i % 4).toString(16).padStart(2, '0')}/${String(i).padStart(64, '0')}`;
const count = (from: number, method: string, list: boolean) =>
  strict.requests.slice(from).filter((q) => q.method === method && q.query.includes('list-type') === list).length;

describe('S3 statMany', () => {
  it('answers 64 keys with LIST pages, exactly as HEADs would, sizes included', async () => {
    const { s, client } = await store(1000);
    const keys = Array.from({ length: 64 }, (_, i) => key(i));
    for (const i of [3, 17, 40]) await s.putBytes(keys[i]!, Buffer.alloc(i));
    const before = strict.requests.length;
    const got = await s.statMany(keys);
    expect(count(before, 'GET', true)).toBe(1);
    expect(count(before, 'HEAD', false)).toBe(0);
    expect(got.map((g, i) => (g ? [i, g.size] : null)).filter(Boolean)).toEqual([
      [3, 3],
      [17, 17],
      [40, 40],
    ]);
    expect(got.map((g) => g?.key)).toEqual(await Promise.all(keys.map(async (k) => (await s.stat(k))?.key)));
    client.destroy();
  });

  it('a folder too big to list within budget: stops listing and HEADs the keys it did not see', async () => {
    // 2-key pages, 40 keys → a budget of 2 pages (4 objects), while the folder holds 24 objects.
    const { s, client } = await store(2);
    const keys = Array.from({ length: 40 }, (_, i) => key(i));
    for (let i = 0; i < 24; i++) await s.putBytes(keys[i]!, Buffer.alloc(1));
    const before = strict.requests.length;
    const got = await s.statMany(keys);
    expect(count(before, 'GET', true)).toBe(2);
    expect(count(before, 'HEAD', false)).toBe(36);
    expect(got.map((g) => !!g)).toEqual(keys.map((_, i) => i < 24));
    client.destroy();
  });

  it('a few keys: a HEAD each', async () => {
    const { s, client } = await store(1000);
    const keys = Array.from({ length: 5 }, (_, i) => key(i));
    const before = strict.requests.length;
    expect(await s.statMany(keys)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(count(before, 'HEAD', false)).toBe(5);
    expect(count(before, 'GET', true)).toBe(0);
    client.destroy();
  });
});
