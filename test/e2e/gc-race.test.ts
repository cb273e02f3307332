import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { S3_CREDS, createBucket, runBin, s3Config, tempDir, tempProject, type RunResult } from '../support/helpers.js';
import { startStrictS3, type StrictS3 } from '../support/strict-s3.js';

/**
 * Issue 11.1: a register that finds its blobs already stored must not lose them to a concurrent gc.
 * Real processes: one register of many already-stored (but unreferenced) blobs while gc --grace 0
 * runs again and again; afterwards every blob the new version names must still be there.
 */
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function modelFiles(dir: string, n: number, tag: string): Array<{ sha: string; body: Buffer }> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const body = Buffer.from(`${tag} file ${i} ${'x'.repeat(i % 97)}\n`);
    const f = join(dir, 'model', `part-${String(i).padStart(5, '0')}.bin`);
    mkdirSync(join(f, '..'), { recursive: true });
    writeFileSync(f, body);
    out.push({ sha: sha(body), body });
  }
  return out;
}

/** Register once while gc --grace 0 keeps running (bounded); the register must leave a version that verifies. */
async function raceRegisterWithGc(dir: string, env: Record<string, string>, maxGcRuns: number) {
  let done = false;
  const reg = runBin(['register', 'fraud', 'model', '--json'], { cwd: dir, env, timeoutMs: 180_000 }).finally(() => {
    done = true;
  });
  const gcs: RunResult[] = [];
  while (!done && gcs.length < maxGcRuns) gcs.push(await runBin(['gc', '--grace', '0', '--json'], { cwd: dir, env }));
  const r = await reg;
  // Notes such as "waiting for the registry lock" are fine; an error is not.
  expect(r.stderr).not.toMatch(/^mlctl: /m);
  expect(r.code).toBe(0);
  for (const g of gcs) expect(g.code, g.stderr).toBe(0);
  // A gc after the register has committed must not touch what the version references either.
  expect((await runBin(['gc', '--grace', '0'], { cwd: dir, env })).code).toBe(0);
  const v = await runBin(['verify', 'fraud@1', '--json'], { cwd: dir, env, timeoutMs: 120_000 });
  const problems = JSON.parse(v.stdout).data.problems as unknown[];
  expect(problems.length, JSON.stringify(problems.slice(0, 3))).toBe(0);
  expect(v.code).toBe(0);
  return { gcRuns: gcs.length, register: JSON.parse(r.stdout).data };
}

// Every blob is older than any grace period on this clock (an hour ahead of the files' mtimes).
const later = () => new Date(Date.now() + 3_600_000).toISOString();

let strict: StrictS3;
beforeAll(async () => {
  strict = await startStrictS3({
    upstream: inject('s3Endpoint'),
    credentials: { [S3_CREDS.AWS_ACCESS_KEY_ID]: S3_CREDS.AWS_SECRET_ACCESS_KEY },
  });
});
afterAll(() => strict.close());

/** Put the blobs straight into the bucket (left by an earlier register whose version is gone). */
async function preStore(bucket: string, prefix: string, files: Array<{ sha: string; body: Buffer }>) {
  const client = new S3Client({
    endpoint: inject('s3Endpoint'),
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  for (let i = 0; i < files.length; i += 32)
    await Promise.all(
      files.slice(i, i + 32).map((f) =>
        client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: `${prefix}/blobs/sha256/${f.sha.slice(0, 2)}/${f.sha}`,
            Body: f.body,
          }),
        ),
      ),
    );
  client.destroy();
}

describe('gc racing register (real processes)', () => {
  it('local store and registry: blobs found already stored survive a concurrent gc --grace 0', async () => {
    const dir = await tempProject();
    const files = modelFiles(dir, 3000, 'local');
    for (const f of files) {
      const p = join(dir, '.mlctl/artifacts/blobs/sha256', f.sha.slice(0, 2), f.sha);
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, f.body);
    }
    const r = await raceRegisterWithGc(dir, { MLCTL_NOW: later() }, 60);
    expect(r.gcRuns).toBeGreaterThan(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('S3 store (strict layer): the same guarantee', async () => {
    const bucket = await createBucket(inject('s3Endpoint'));
    const dir = await tempProject(s3Config(bucket, strict.endpoint));
    const files = modelFiles(dir, 400, 's3');
    await preStore(bucket, 'team', files);
    const r = await raceRegisterWithGc(dir, { ...S3_CREDS, MLCTL_NOW: later() }, 40);
    expect(r.gcRuns).toBeGreaterThan(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('shared registry on S3 and S3 store: the same guarantee', async () => {
    const bucket = await createBucket(inject('s3Endpoint'));
    const dir = tempDir('mlctl-gc-shared-');
    const cache = tempDir('mlctl-gc-cache-');
    writeFileSync(
      join(dir, 'mlctl.yaml'),
      `registry: s3://${bucket}/registry.db\nartifacts: s3://${bucket}/art\ns3: { endpoint: ${strict.endpoint}, region: us-east-1, forcePathStyle: true }\n`,
    );
    const files = modelFiles(dir, 300, 'shared');
    await preStore(bucket, 'art', files);
    const env = { ...S3_CREDS, MLCTL_NOW: later(), MLCTL_CACHE_DIR: cache };
    // The shared registry exists before the race (gc alone never creates it).
    writeFileSync(join(dir, 'seed.bin'), 'seed');
    expect((await runBin(['register', 'seed', 'seed.bin'], { cwd: dir, env })).code).toBe(0);
    const r = await raceRegisterWithGc(dir, env, 40);
    expect(r.gcRuns).toBeGreaterThan(0);
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });
});
