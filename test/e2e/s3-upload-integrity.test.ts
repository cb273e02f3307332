import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3_CREDS, createBucket, runBin, s3Config, tempDir, tempProject, writeModel } from '../support/helpers.js';
import { startStrictS3, type StrictS3 } from '../support/strict-s3.js';
import { SqliteHashCache } from '../../src/adapters/hash-cache/sqlite-hash-cache.js';

// A stale hash-cache entry (or a file rewritten after hashing) must never put other bytes under a
// content address: every upload path checks the sha256 of the bytes it actually sent.

let strict: StrictS3;
beforeAll(async () => {
  strict = await startStrictS3({
    upstream: inject('s3Endpoint'),
    credentials: { [S3_CREDS.AWS_ACCESS_KEY_ID]: S3_CREDS.AWS_SECRET_ACCESS_KEY },
  });
});
afterAll(() => strict.close());

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Wait (bounded) until the file is older than the hash cache's racy window, so a planted row is trusted. */
async function settle(file: string) {
  for (let i = 0; i < 100; i++) {
    const s = statSync(file);
    if (Date.now() - Math.max(s.mtimeMs, s.ctimeMs) > 150) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${file} kept changing`);
}

/** A project on `endpoint` with its own hash cache, holding the wrong digest `planted` for model/w.bin. */
async function plantedProject(endpoint: string, bytes: Buffer, planted: string) {
  const bucket = await createBucket(inject('s3Endpoint'));
  const dir = await tempProject(s3Config(bucket, endpoint));
  const cacheDir = tempDir('mlctl-planted-cache-');
  const file = join(writeModel(dir, 'model', { 'w.bin': bytes }), 'w.bin');
  await settle(file);
  const cache = SqliteHashCache.open(join(cacheDir, 'hash-cache', 'hashes.db'));
  const s = statSync(file, { bigint: true });
  cache.put({ dev: s.dev, ino: s.ino, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs }, planted);
  cache.close();
  const env = { ...S3_CREDS, MLCTL_S3_PART_SIZE_MIB: '5', MLCTL_CACHE_DIR: cacheDir };
  return { dir, bucket, env };
}

async function exists(bucket: string, key: string): Promise<boolean> {
  const raw = new S3Client({
    endpoint: inject('s3Endpoint'),
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  try {
    await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  } finally {
    raw.destroy();
  }
}

async function expectRefused(p: { dir: string; bucket: string; env: Record<string, string> }, wrong: string) {
  const r = await runBin(['register', 'fraud', 'model', '--json'], { cwd: p.dir, env: p.env });
  expect(r.code, r.stderr).toBe(3);
  expect(r.stderr).toMatch(
    new RegExp(
      `w\\.bin changed while it was being stored \\(sha256 of the bytes sent [0-9a-f]{64}, expected ${wrong}\\); nothing was stored; its remembered digest was dropped from the hash cache; register again`,
    ),
  );
  expect(await exists(p.bucket, `team/blobs/sha256/${wrong.slice(0, 2)}/${wrong}`)).toBe(false);
  const list = await runBin(['list', '--json'], { cwd: p.dir, env: p.env });
  expect(JSON.parse(list.stdout).data.models).toEqual([]);
}

async function expectRecovers(p: { dir: string; env: Record<string, string> }) {
  // The stale entry is gone: the next register hashes the file and stores it under its own digest.
  const again = await runBin(['register', 'fraud', 'model', '--json'], { cwd: p.dir, env: p.env });
  expect(again.code, again.stderr).toBe(0);
  expect(JSON.parse(again.stdout).data.hashing).toMatchObject({ files: 1, cached: 0 });
  expect((await runBin(['verify', 'fraud@1'], { cwd: p.dir, env: p.env })).code).toBe(0);
}

describe('uploads store only bytes whose sha256 is the key they go under', () => {
  it('multipart: a stale cache entry makes register abort the upload instead of completing it', async () => {
    const bytes = randomBytes(11 * 1024 * 1024 + 5);
    const wrong = sha(randomBytes(64));
    const p = await plantedProject(strict.endpoint, bytes, wrong);
    const before = strict.requests.length;
    await expectRefused(p, wrong);
    const refused = strict.requests.slice(before);
    // Every part went up (each checked by its own checksum), then the upload was aborted, never completed.
    expect(refused.filter((q) => q.method === 'PUT' && q.query.includes('partNumber')).length).toBe(3);
    expect(refused.some((q) => q.method === 'DELETE' && q.query.includes('uploadId'))).toBe(true);
    expect(refused.some((q) => q.method === 'POST' && q.query.includes('uploadId='))).toBe(false);
    await expectRecovers(p);
  });

  it('single request: refused before sending, even to a server that checks no checksums (s3rver)', async () => {
    const bytes = randomBytes(4096);
    const wrong = sha(randomBytes(64));
    const p = await plantedProject(inject('s3Endpoint'), bytes, wrong);
    await expectRefused(p, wrong);
    await expectRecovers(p);
  });
});
