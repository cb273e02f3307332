import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import {
  BIN,
  S3_CREDS,
  baseEnv,
  createBucket,
  run,
  runBin,
  s3Config,
  tempProject,
  writeModel,
} from '../support/helpers.js';
import { startStrictS3, type StrictS3 } from '../support/strict-s3.js';

/** Issue 11.4: what a killed register leaves behind is found, reported and (after the grace period) removed. */
const json = (s: string) => JSON.parse(s);
const later = () => ({ MLCTL_NOW: new Date(Date.now() + 3_600_000).toISOString() });
const realNow = () => ({ MLCTL_NOW: new Date().toISOString() });

describe('folder store: temp files of interrupted uploads', () => {
  it('verify --all mentions them; gc keeps young ones, removes old ones and reports them', async () => {
    const dir = await tempProject();
    writeModel(dir);
    expect((await run(['register', 'fraud', 'model'], { cwd: dir })).code).toBe(0);
    const sha = 'ab'.repeat(32);
    const blobTmp = join(dir, '.mlctl/artifacts/blobs/sha256/ab', `${sha}.tmp-0123456789ab`);
    const manTmp = join(dir, '.mlctl/artifacts/manifests/fraud', '2.json.tmp-a1b2c3d4e5f6');
    mkdirSync(join(blobTmp, '..'), { recursive: true });
    writeFileSync(blobTmp, randomBytes(3000));
    writeFileSync(manTmp, '{');

    const v = await run(['verify', '--all', '--json'], { cwd: dir });
    expect(v.code).toBe(0);
    expect(json(v.stdout).data.partialUploads).toMatchObject({ count: 2, bytes: 3001 });
    expect(json(v.stdout).warnings.join('\n')).toMatch(
      /2 partial upload\(s\) \(2\.93 KiB\) left by interrupted uploads; mlctl gc removes them once older than its grace period/,
    );

    const young = json((await run(['gc', '--json'], { cwd: dir, env: realNow() })).stdout).data;
    expect(young.partial).toMatchObject({ removed: 0, kept: 2 });
    expect(existsSync(blobTmp)).toBe(true);

    const dry = await run(['gc', '--dry-run', '--grace', '0'], { cwd: dir, env: later() });
    expect(dry.stdout).toContain('2 partial upload(s) (2.93 KiB) would be removed');
    expect(existsSync(blobTmp)).toBe(true);

    const done = await run(['gc', '--grace', '0', '--json'], { cwd: dir, env: later() });
    expect(done.code).toBe(0);
    expect(json(done.stdout).data.partial).toMatchObject({ removed: 2, bytes: 3001, kept: 0 });
    expect(existsSync(blobTmp)).toBe(false);
    expect(existsSync(manTmp)).toBe(false);
    const ev = json((await run(['audit', '--action', 'gc', '--json'], { cwd: dir })).stdout).data.events;
    expect(ev[0].payload).toMatchObject({ partial: 2 });
    expect((await run(['verify', 'fraud@1'], { cwd: dir })).code).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('S3 store: incomplete multipart uploads', () => {
  let strict: StrictS3;
  let holdParts = false;
  let held: (() => void) | undefined;
  beforeAll(async () => {
    strict = await startStrictS3({
      upstream: inject('s3Endpoint'),
      credentials: { [S3_CREDS.AWS_ACCESS_KEY_ID]: S3_CREDS.AWS_SECRET_ACCESS_KEY },
      hook: (r) => {
        if (holdParts && r.method === 'PUT' && new URLSearchParams(r.query).has('partNumber')) {
          held?.();
          return { delayMs: 30_000 };
        }
      },
    });
  });
  afterAll(() => strict.close());

  it('a register killed mid-upload leaves one; verify --all mentions it, gc --grace 0 aborts it', async () => {
    const bucket = await createBucket(inject('s3Endpoint'));
    const dir = await tempProject(s3Config(bucket, strict.endpoint));
    const env = { ...S3_CREDS, MLCTL_S3_PART_SIZE_MIB: '5' };
    writeModel(dir, 'model', { 'big.bin': randomBytes(6 * 1024 * 1024) });
    holdParts = true;
    const started = new Promise<void>((resolve) => (held = resolve));
    const child = spawn(process.execPath, [BIN, 'register', 'fraud', 'model'], {
      cwd: dir,
      env: baseEnv(env) as NodeJS.ProcessEnv,
      stdio: 'ignore',
    });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    await started;
    child.kill('SIGKILL');
    await exited;
    holdParts = false;

    const client = new S3Client({
      endpoint: strict.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const open = async () =>
      (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'team/' }))).Uploads ?? [];
    expect(await open()).toHaveLength(1);

    const v = await runBin(['verify', '--all', '--json'], { cwd: dir, env });
    expect(json(v.stdout).data.partialUploads).toMatchObject({ count: 1 });
    expect(json(v.stdout).warnings.join('\n')).toMatch(/1 partial upload\(s\) left by interrupted uploads/);

    const young = json((await runBin(['gc', '--json'], { cwd: dir, env: { ...env, ...realNow() } })).stdout).data;
    expect(young.partial).toMatchObject({ removed: 0, kept: 1 });
    expect(await open()).toHaveLength(1);

    const done = await runBin(['gc', '--grace', '0', '--json'], { cwd: dir, env: { ...env, ...later() } });
    expect(done.code).toBe(0);
    expect(json(done.stdout).data.partial).toMatchObject({ removed: 1, kept: 0 });
    expect(await open()).toEqual([]);
    client.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
});
