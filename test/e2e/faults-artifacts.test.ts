import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3_CREDS, createBucket, lastLine, runBin, s3Config, tempProject, writeModel } from '../support/helpers.js';
import { startStrictS3, type StrictS3 } from '../support/strict-s3.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';

// Downloads (pull, verify) through mlctl → fault proxy → strict layer → s3rver.
let strict: StrictS3;
let proxy: FaultProxy;
const BIG = randomBytes(600 * 1024);
const SMALL = randomBytes(200 * 1024);

beforeAll(async () => {
  strict = await startStrictS3({ upstream: inject('s3Endpoint'), credentials: { S3RVER: 'S3RVER' } });
  proxy = await startFaultProxy(strict.endpoint);
});
afterAll(async () => {
  await proxy?.close();
  await strict?.close();
});
beforeEach(() => proxy.clear());

/** A project with one registered version (two blobs) on S3 behind the proxy. */
async function registered() {
  const bucket = await createBucket(inject('s3Endpoint'));
  const dir = await tempProject(s3Config(bucket, proxy.endpoint));
  writeModel(dir, 'model', { 'big.bin': BIG, 'small.bin': SMALL });
  const r = await runBin(['register', 'fraud', 'model'], { cwd: dir, env: S3_CREDS });
  if (r.code !== 0) throw new Error(r.stderr);
  return dir;
}
const blobGet = (r: { method: string; key: string }) => r.method === 'GET' && r.key.includes('/blobs/');

describe('downloads over a faulty network', () => {
  it('pull resumes a blob cut mid-body with a ranged GET and writes exactly the stored bytes', async () => {
    const dir = await registered();
    proxy.inject(blobGet, { kind: 'reset-response', afterBytes: 64 * 1024 }, 2);
    const mark = proxy.requests.length;
    const r = await runBin(['pull', 'fraud@1', '--to', 'out'], { cwd: dir, env: S3_CREDS });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out/big.bin')).equals(BIG)).toBe(true);
    expect(readFileSync(join(dir, 'out/small.bin')).equals(SMALL)).toBe(true);
    const gets = proxy.requests.slice(mark).filter(blobGet);
    expect(gets.filter((g) => g.fault === 'reset-response')).toHaveLength(2);
    const resumed = gets.filter((g) => g.headers.range === 'bytes=65536-');
    expect(resumed).toHaveLength(2);
    for (const g of resumed) expect(g.headers['if-match']).toMatch(/^"[0-9a-f]+"$/);
  });

  it('verify resumes too, and a 503 on the first GET is retried', async () => {
    const dir = await registered();
    proxy.inject(blobGet, { kind: 'status', status: 503 });
    proxy.inject(blobGet, { kind: 'reset-response', afterBytes: 1000 });
    const r = await runBin(['verify', 'fraud@1', '--json'], { cwd: dir, env: S3_CREDS });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).data).toMatchObject({ ok: true, blobsChecked: 2 });
  });

  it('a blob that keeps being cut: exit 3 naming endpoint and cause, one line, and no partial destination', async () => {
    const dir = await registered();
    proxy.inject((q) => blobGet(q) && q.key.endsWith(sha(BIG)), { kind: 'reset-response', afterBytes: 0 }, Infinity);
    const r = await runBin(['pull', 'fraud@1', '--to', 'out'], { cwd: dir, env: S3_CREDS });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(lastLine(r.stderr)).toMatch(
      new RegExp(
        `^mlctl: S3 GET .*/blobs/sha256/.* at ${proxy.endpoint} failed after 4 attempts: (connection reset \\(ECONNRESET\\)|the answer ended early \\((ETRUNCATED|ERR_STREAM_PREMATURE_CLOSE)\\)); the network or the server dropped the connection — run the command again$`,
      ),
    );
    expect(r.stderr).not.toMatch(/Deserialization|\$response|UnknownError|aborted/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('mlctl-tmp'))).toEqual([]);
  });

  it('into a folder that existed: what was there stays, what the failed pull added is gone', async () => {
    const dir = await registered();
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out/keep.txt'), 'mine');
    proxy.inject((q) => blobGet(q) && q.key.endsWith(sha(BIG)), { kind: 'status', status: 500 }, Infinity);
    const r = await runBin(['pull', 'fraud@1', '--to', 'out', '--force'], { cwd: dir, env: S3_CREDS });
    expect(r.code).toBe(3);
    expect(lastLine(r.stderr)).toMatch(
      new RegExp(`^mlctl: S3 GET .* failed at ${proxy.endpoint} after 3 attempts: HTTP 500 \\(InternalError\\)$`),
    );
    expect(readdirSync(join(dir, 'out'))).toEqual(['keep.txt']);
  });
});

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
