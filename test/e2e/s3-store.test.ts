import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  BIN,
  S3_CREDS,
  baseEnv,
  createBucket,
  runBin,
  s3Config,
  tempProject,
  writeModel,
  runBinOk,
} from '../support/helpers.js';
import { startStrictS3, type StrictS3 } from '../support/strict-s3.js';

let strict: StrictS3;
let holdBlobPuts: ((key: string) => void) | undefined;
let failPart: number | undefined;
const creds = { ...S3_CREDS, MLCTL_S3_PART_SIZE_MIB: '5' };

beforeAll(async () => {
  strict = await startStrictS3({
    upstream: inject('s3Endpoint'),
    credentials: { [S3_CREDS.AWS_ACCESS_KEY_ID]: S3_CREDS.AWS_SECRET_ACCESS_KEY },
    hook: (r) => {
      if (
        failPart !== undefined &&
        r.method === 'PUT' &&
        new URLSearchParams(r.query).get('partNumber') === String(failPart)
      )
        return { status: 500 };
      if (holdBlobPuts && (r.method === 'PUT' || r.method === 'POST') && r.key.includes('/blobs/')) {
        holdBlobPuts(r.key);
        return { delayMs: 30_000 };
      }
    },
  });
});
afterAll(() => strict.close());

async function s3Project() {
  const bucket = await createBucket(inject('s3Endpoint'));
  const dir = await tempProject(s3Config(bucket, strict.endpoint));
  return { dir, bucket };
}
const parse = (s: string) => JSON.parse(s).data;

describe('S3 artifact store (strict: SigV4, checksums)', () => {
  it('uploads a multipart file and small files with checksums, pulls and verifies them', async () => {
    const { dir } = await s3Project();
    const big = randomBytes(11 * 1024 * 1024 + 123);
    writeModel(dir, 'model', { 'big.bin': big, 'small.json': '{"a":1}' });
    const before = strict.requests.length;
    const r = await runBin(['register', 'fraud', 'model', '--json'], { cwd: dir, env: creds });
    expect(r.code, r.stderr).toBe(0);
    expect(parse(r.stdout)).toMatchObject({ ref: 'fraud@1', uploaded: { blobs: 2, bytes: big.length + 7 } });
    const mine = strict.requests.slice(before);
    const parts = mine.filter((q) => q.method === 'PUT' && q.query.includes('partNumber'));
    expect(parts.length).toBe(3);
    // Every part carried a CRC32 and the small object its sha256, each checked by the strict server.
    for (const q of parts) expect(q.headers['x-amz-checksum-crc32']).toBeTruthy();
    const single = mine.filter((x) => x.method === 'PUT' && !x.query.includes('uploadId') && x.key.includes('/blobs/'));
    expect(single).toHaveLength(1);
    expect(single[0]!.headers['x-amz-checksum-sha256']).toBeTruthy();
    const pull = await runBin(['pull', 'fraud@1', '--to', 'out'], { cwd: dir, env: creds });
    expect(pull.code, pull.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out/big.bin')).equals(big)).toBe(true);
    expect((await runBin(['verify', 'fraud@1'], { cwd: dir, env: creds })).code).toBe(0);
  });

  it('a failed part aborts the multipart upload and registers nothing', async () => {
    const { dir } = await s3Project();
    writeModel(dir, 'model', { 'big.bin': randomBytes(11 * 1024 * 1024) });
    const before = strict.requests.length;
    failPart = 2;
    const r = await runBin(['register', 'fraud', 'model'], { cwd: dir, env: creds }).finally(
      () => (failPart = undefined),
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^mlctl: S3 multipart upload of .*big.bin failed/m);
    const mine = strict.requests.slice(before);
    expect(mine.some((q) => q.method === 'DELETE' && q.query.includes('uploadId'))).toBe(true);
    expect(mine.some((q) => q.method === 'POST' && q.query.includes('uploadId'))).toBe(false);
    expect(JSON.parse((await runBin(['list', '--json'], { cwd: dir, env: creds })).stdout).data.models).toEqual([]);
  });

  it('re-registering the same content uploads nothing', async () => {
    const { dir } = await s3Project();
    writeModel(dir, 'model', { 'w.bin': randomBytes(4096) });
    await runBinOk(['register', 'fraud', 'model'], { cwd: dir, env: creds });
    const before = strict.requests.length;
    const r = parse(
      (await runBin(['register', 'fraud', 'model', '--allow-duplicate', '--json'], { cwd: dir, env: creds })).stdout,
    );
    expect(r).toMatchObject({ ref: 'fraud@2', uploaded: { blobs: 0, bytes: 0 }, skipped: { blobs: 1 } });
    const blobPuts = strict.requests.slice(before).filter((q) => q.method === 'PUT' && q.key.includes('/blobs/'));
    expect(blobPuts).toHaveLength(0);
  });

  it('detects a blob corrupted in the bucket', async () => {
    const { dir, bucket } = await s3Project();
    writeModel(dir, 'model', { 'w.bin': 'original bytes' });
    await runBinOk(['register', 'fraud', 'model'], { cwd: dir, env: creds });
    const sha = parse((await runBin(['show', 'fraud@1', '--json'], { cwd: dir, env: creds })).stdout).files[0].sha256;
    const raw = new S3Client({
      endpoint: inject('s3Endpoint'),
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await raw.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `team/blobs/sha256/${sha.slice(0, 2)}/${sha}`,
        Body: 'flipped bytes!',
      }),
    );
    raw.destroy();
    const v = await runBin(['verify', 'fraud@1'], { cwd: dir, env: creds });
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/fraud@1: w.bin: corrupt/);
  });

  it('S3 unreachable: exit 3 naming the endpoint, nothing registered', async () => {
    const { dir, bucket } = await s3Project();
    writeFileSync(join(dir, 'mlctl.yaml'), s3Config(bucket, 'http://127.0.0.1:1'));
    writeModel(dir, 'model', { 'w.bin': 'x' });
    const r = await runBin(['register', 'fraud', 'model'], { cwd: dir, env: creds });
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(/^mlctl: cannot reach S3 endpoint http:\/\/127.0.0.1:1 \(ECONNREFUSED\)/);
    expect((await runBin(['list', '--json'], { cwd: dir, env: creds })).stdout).toMatch(/"models": \[\]/);
  });

  it('wrong credentials: exit 4 and the secret is never printed', async () => {
    const { dir } = await s3Project();
    writeModel(dir, 'model', { 'w.bin': 'x' });
    const secret = 'wR0ng-S3cret-Value';
    const r = await runBin(['register', 'fraud', 'model', '--json'], {
      cwd: dir,
      env: { ...creds, AWS_SECRET_ACCESS_KEY: secret },
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/refused .*\((SignatureDoesNotMatch|HTTP 403)\); check the AWS credentials/);
    expect(r.stdout + r.stderr).not.toContain(secret);
    const r2 = await runBin(['register', 'fraud', 'model'], {
      cwd: dir,
      env: { ...creds, AWS_ACCESS_KEY_ID: 'NOBODY' },
    });
    expect(r2.code).toBe(4);
    expect(r2.stderr).toMatch(/\((InvalidAccessKeyId|HTTP 403)\); check the AWS credentials/);
  });

  it('a register killed mid-upload leaves no version; a retry succeeds', async () => {
    const { dir } = await s3Project();
    writeModel(dir, 'model', { 'big.bin': randomBytes(6 * 1024 * 1024), 'small.bin': 'small' });
    const started = new Promise<void>((resolve) => {
      holdBlobPuts = () => resolve();
    });
    const child = spawn(process.execPath, [BIN, 'register', 'fraud', 'model'], {
      cwd: dir,
      env: baseEnv(creds) as NodeJS.ProcessEnv,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (_c, sig) => r(sig ? 137 : _c)));
    await started;
    child.kill('SIGKILL');
    expect(await exited).toBe(137);
    holdBlobPuts = undefined;
    const list = await runBin(['list', '--json'], { cwd: dir, env: creds });
    expect(JSON.parse(list.stdout).data.models).toEqual([]);
    const retry = await runBin(['register', 'fraud', 'model'], { cwd: dir, env: creds });
    expect(retry).toMatchObject({ code: 0, stdout: 'fraud@1\n' });
    expect((await runBin(['verify', 'fraud@1'], { cwd: dir, env: creds })).code).toBe(0);
  });
});
