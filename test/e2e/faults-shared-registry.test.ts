import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { S3_CREDS, createBucket, lastLine, run, runBin, tempDir, writeModel } from '../support/helpers.js';
import { startStrictS3, type StrictS3 } from '../support/strict-s3.js';
import { on, startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { zeroMiddlePages } from '../support/damage.js';
import { startS3rver, type S3rverHandle } from '../support/s3rver.js';

// mlctl → fault proxy → strict layer (SigV4, conditional writes) → s3rver.
let strict: StrictS3;
let proxy: FaultProxy;
let bucket: string;
let s3: S3Client;
const json = (s: string) => JSON.parse(s);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  bucket = await createBucket(inject('s3Endpoint'));
  strict = await startStrictS3({ upstream: inject('s3Endpoint'), credentials: { S3RVER: 'S3RVER' } });
  proxy = await startFaultProxy(strict.endpoint);
  s3 = new S3Client({
    endpoint: strict.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
});
afterAll(async () => {
  s3?.destroy();
  await proxy?.close();
  await strict?.close();
});
beforeEach(() => proxy.clear());

let n = 0;
const cacheBase = tempDir('mlctl-fault-cache-');
function project(endpoint = proxy.endpoint, registryKey = `faults-${++n}/registry.db`) {
  const dir = tempDir('mlctl-faults-');
  writeFileSync(
    join(dir, 'mlctl.yaml'),
    `registry: s3://${bucket}/${registryKey}\nartifacts: s3://${bucket}/art-${n}\ns3: { endpoint: ${endpoint}, region: us-east-1, forcePathStyle: true }\n`,
  );
  writeModel(dir, 'm', { 'w.bin': 'weights' });
  return { dir, key: registryKey };
}
const env = (machine: string) => ({ ...S3_CREDS, MLCTL_CACHE_DIR: join(cacheBase, machine) });
const since = (mark: number, key: string) => proxy.requests.slice(mark).filter((r) => r.key.endsWith(key));
/** The registry object as S3 holds it now. */
async function remote(key: string) {
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { bytes: Buffer.from(await r.Body!.transformToByteArray()), etag: r.ETag!, meta: r.Metadata ?? {} };
}
/** Open a copy of the remote registry and read from it (quick_check, versions, tags of version 1). */
async function remoteState(key: string) {
  const f = join(tempDir(), 'remote.db');
  writeFileSync(f, (await remote(key)).bytes);
  const db = new Database(f, { readonly: true });
  try {
    return {
      check: db.pragma('quick_check', { simple: true }),
      versions: (db.prepare('SELECT count(*) AS n FROM versions').get() as { n: number }).n,
      tags: db.prepare('SELECT key, value FROM tags').all(),
    };
  } finally {
    db.close();
  }
}
/** The shared registries' cache folders of a machine (the hash cache and the CLI's code cache have folders of their own beside them). */
const registryCaches = (root: string) => readdirSync(root).filter((d) => d !== 'hash-cache' && d !== 'code-cache');

/** The machine's cache folder for a registry, and its meta.json. */
function cacheOf(machine: string) {
  const root = join(cacheBase, machine);
  const dirs = registryCaches(root);
  expect(dirs).toHaveLength(1);
  const dir = join(root, dirs[0]!);
  return { dir, meta: JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) };
}

describe('shared registry behind a faulty network', () => {
  it('an upload answered 503, then reset mid-request, is sent again and lands once', async () => {
    const p = project();
    proxy.inject(on.put(p.key), { kind: 'status', status: 503 });
    proxy.inject(on.put(p.key), { kind: 'reset-request', afterBytes: 1000 });
    const mark = proxy.requests.length;
    const r = await runBin(['register', 'fraud', 'm'], { cwd: p.dir, env: env('retry') });
    expect(r.code, r.stderr).toBe(0);
    expect(
      since(mark, p.key)
        .filter(on.put(p.key))
        .map((q) => q.fault ?? 'ok'),
    ).toEqual(['status', 'reset-request', 'ok']);
    expect(await remoteState(p.key)).toMatchObject({ check: 'ok', versions: 1 });
    expect((await runBin(['registry', 'status'], { cwd: p.dir, env: env('other') })).stdout).toMatch(/lock: free/);
  });

  it('an upload whose answer is lost: the repeat meets its own write, a HEAD shows it landed, and the command says so', async () => {
    const p = project();
    expect((await runBin(['register', 'fraud', 'm'], { cwd: p.dir, env: env('lost') })).code).toBe(0);
    proxy.inject(on.put(p.key), { kind: 'lose-response' });
    const r = await runBin(['tag', 'fraud@1', 'team=risk'], { cwd: p.dir, env: env('lost') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(
        `the answer to the upload of s3://${bucket}/${p.key} was lost \\(HTTP 412 \\(PreconditionFailed\\)\\); a HEAD shows that it landed \\(ETag "[0-9a-f]+"\\)`,
      ),
    );
    const state = await remoteState(p.key);
    expect(state).toMatchObject({ check: 'ok', versions: 1, tags: [{ key: 'team', value: 'risk' }] });
    // The machine's cache knows the ETag it landed at: the next read costs one HEAD.
    const { meta } = cacheOf('lost');
    expect(meta.etag).toBe((await remote(p.key)).etag);
    const mark = proxy.requests.length;
    expect((await runBin(['list'], { cwd: p.dir, env: env('lost') })).code).toBe(0);
    expect(since(mark, p.key).map((q) => q.method)).toEqual(['HEAD']);
  });

  it('a lost answer and then only errors: HEAD still tells that the write landed', async () => {
    const p = project();
    expect((await runBin(['register', 'fraud', 'm'], { cwd: p.dir, env: env('lost2') })).code).toBe(0);
    proxy.inject(on.put(p.key), { kind: 'lose-response' });
    proxy.inject(on.put(p.key), { kind: 'status', status: 500 }, Infinity);
    const r = await runBin(['tag', 'fraud@1', 'team=risk'], { cwd: p.dir, env: env('lost2') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/was lost \(HTTP 500 \(InternalError\)\); a HEAD shows that it landed/);
    expect((await remoteState(p.key)).tags).toEqual([{ key: 'team', value: 'risk' }]);
  });

  it('an upload that never gets through: exit 3 naming endpoint and cause; HEAD shows it did not land; nothing changed', async () => {
    const p = project();
    expect((await runBin(['register', 'fraud', 'm'], { cwd: p.dir, env: env('down') })).code).toBe(0);
    const before = await remote(p.key);
    proxy.inject(on.put(p.key), { kind: 'status', status: 503 }, Infinity);
    const r = await runBin(['tag', 'fraud@1', 'team=risk'], { cwd: p.dir, env: env('down') });
    expect(r.code).toBe(3);
    expect(lastLine(r.stderr)).toBe(
      `mlctl: the upload of s3://${bucket}/${p.key} to ${proxy.endpoint} failed (HTTP 503 (SlowDown), 3 attempts); a HEAD shows that it did not land: the shared registry is unchanged (ETag ${before.etag}), nothing was written — run the command again`,
    );
    expect((await remote(p.key)).etag).toBe(before.etag);
    expect((await remoteState(p.key)).tags).toEqual([]);
    proxy.clear();
    expect((await runBin(['registry', 'status'], { cwd: p.dir, env: env('down') })).stdout).toMatch(/lock: free/);
    expect((await runBin(['tag', 'fraud@1', 'team=risk'], { cwd: p.dir, env: env('down') })).code).toBe(0);
  });

  it('a registry download cut mid-body resumes from where it was cut (Range pinned by If-Match)', async () => {
    const p = project();
    expect((await runBin(['register', 'fraud', 'm'], { cwd: p.dir, env: env('w') })).code).toBe(0);
    proxy.inject(on.get(p.key), { kind: 'reset-response', afterBytes: 5000 });
    const mark = proxy.requests.length;
    const r = await runBin(['list', 'fraud', '--json'], { cwd: p.dir, env: env('reader') });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).data.versions).toHaveLength(1);
    const gets = since(mark, p.key).filter((q) => q.method === 'GET');
    expect(gets.map((q) => q.headers.range ?? '')).toEqual(['', 'bytes=5000-']);
    expect(gets[1]!.headers['if-match']).toBe((await remote(p.key)).etag);
    // The cached copy is exactly the remote one.
    const { dir, meta } = cacheOf('reader');
    expect(sha(readFileSync(join(dir, meta.file)))).toBe(sha((await remote(p.key)).bytes));
  });

  it('the signed HEAD of a read is retried after a reset; errors name the endpoint and the cause, never SDK text', async () => {
    const p = project();
    expect((await runBin(['register', 'fraud', 'm'], { cwd: p.dir, env: env('h') })).code).toBe(0);
    proxy.inject(on.head(p.key), { kind: 'reset-request' });
    expect((await runBin(['list'], { cwd: p.dir, env: env('h') })).code).toBe(0);
    proxy.inject(on.head(p.key), { kind: 'reset-request' }, Infinity);
    const r = await runBin(['list'], { cwd: p.dir, env: env('h') });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      `mlctl: S3 HEAD ${p.key} at ${proxy.endpoint} failed after 4 attempts: connection reset (ECONNRESET); the network or the server dropped the connection — run the command again\n`,
    );
  });
});

describe('damaged copies of the shared registry', () => {
  it('a damaged cache file is discarded and fetched again before a write; it never reaches S3', async () => {
    const p = project();
    for (let i = 1; i <= 4; i++) {
      writeModel(p.dir, `m${i}`, { 'w.bin': `w${i}`, 'notes.txt': 'x'.repeat(3000 * i) });
      expect((await runBin(['register', 'fraud', `m${i}`], { cwd: p.dir, env: env('dmg') })).code).toBe(0);
    }
    const { dir, meta } = cacheOf('dmg');
    zeroMiddlePages(join(dir, meta.file), 2);
    const mark = proxy.requests.length;
    const r = await runBin(['tag', 'fraud@1', 'team=risk'], { cwd: p.dir, env: env('dmg') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(
        `the cached copy of s3://${bucket}/${p.key} changed since it was fetched \\(sha256 .*\\); discarded it and fetched it again`,
      ),
    );
    expect(since(mark, p.key).some((q) => q.method === 'GET')).toBe(true);
    expect(await remoteState(p.key)).toMatchObject({
      check: 'ok',
      versions: 4,
      tags: [{ key: 'team', value: 'risk' }],
    });
    expect((await runBin(['audit', 'verify'], { cwd: p.dir, env: env('fresh') })).code).toBe(0);
  });

  it('a damaged shared registry: writes are refused and nothing is uploaded; a backup pushed with --force restores it', async () => {
    const p = project();
    writeModel(p.dir, 'm2', { 'w.bin': 'two', 'notes.txt': 'y'.repeat(20_000) });
    expect((await runBin(['register', 'fraud', 'm'], { cwd: p.dir, env: env('bk') })).code).toBe(0);
    expect((await runBin(['register', 'fraud', 'm2'], { cwd: p.dir, env: env('bk') })).code).toBe(0);
    const backup = join(tempDir(), 'backup.db');
    const b = await runBin(['registry', 'backup', backup], { cwd: p.dir, env: env('bk') });
    expect(b.code, b.stderr).toBe(0);
    // Someone uploads a damaged database by hand (no recorded sha256).
    const damaged = join(tempDir(), 'damaged.db');
    writeFileSync(damaged, (await remote(p.key)).bytes);
    zeroMiddlePages(damaged, 2);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: p.key, Body: readFileSync(damaged) }));
    const etag = (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: p.key }))).ETag;
    const r = await runBin(['tag', 'fraud@1', 'team=risk'], { cwd: p.dir, env: env('bk2') });
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(/unexpected error|is it an mlctl registry/);
    expect(lastLine(r.stderr)).toMatch(
      new RegExp(
        `^mlctl: the shared registry s3://${bucket}/${p.key} is damaged(: a freshly fetched copy .* fails SQLite's quick_check)? \\(.*\\); nothing was written\\. Restore it from a backup: mlctl registry push <backup file> --force`,
      ),
    );
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: p.key }))).ETag).toBe(etag);
    const audit = await runBin(['audit', 'verify'], { cwd: p.dir, env: env('bk3') });
    expect(audit.code).toBe(1);
    expect(lastLine(audit.stderr)).toMatch(
      /SQLite quick_check found damage: .*; the audit chain was not checked — restore it from a backup: mlctl registry push <backup file> --force/,
    );
    const push = await runBin(['registry', 'push', backup, '--force'], { cwd: p.dir, env: env('bk2') });
    expect(push.code, push.stderr).toBe(0);
    expect((await runBin(['tag', 'fraud@1', 'team=risk'], { cwd: p.dir, env: env('bk2') })).code).toBe(0);
    expect(await remoteState(p.key)).toMatchObject({
      check: 'ok',
      versions: 2,
      tags: [{ key: 'team', value: 'risk' }],
    });
  });

  it('registry push refuses a damaged local file', async () => {
    const local = tempDir('mlctl-local-');
    expect((await run(['init', '--yes'], { cwd: local })).code).toBe(0);
    for (let i = 1; i <= 4; i++) {
      writeModel(local, `m${i}`, { 'w.bin': `w${i}`, 'notes.txt': 'x'.repeat(4000 * i) });
      expect((await run(['register', 'fraud', `m${i}`], { cwd: local })).code).toBe(0);
    }
    zeroMiddlePages(join(local, '.mlctl/registry.db'), 2);
    const p = project();
    const r = await runBin(['registry', 'push', join(local, '.mlctl/registry.db')], { cwd: p.dir, env: env('pd') });
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(/unexpected error|is it an mlctl registry/);
    await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: p.key }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });
});

describe('the shared-registry cache', () => {
  it('keeps only the newest copies of each registry, and no leftovers', async () => {
    const p = project();
    expect((await runBin(['register', 'fraud', 'm'], { cwd: p.dir, env: env('tidy') })).code).toBe(0);
    for (let i = 0; i < 5; i++)
      expect((await runBin(['tag', 'fraud@1', `k${i}=v`], { cwd: p.dir, env: env('tidy') })).code).toBe(0);
    const { dir, meta } = cacheOf('tidy');
    const files = readdirSync(dir);
    expect(files.filter((f) => f.startsWith('db-')).length).toBeLessThanOrEqual(2);
    expect(files).toContain(meta.file);
    expect(files.filter((f) => f.startsWith('private-') || f.includes('.tmp-'))).toEqual([]);
  });

  it('a remembered registry that is gone: the message names its last cached copy and how to restore it; init --new-registry starts a new one', async () => {
    const p = project();
    expect((await runBin(['register', 'fraud', 'm'], { cwd: p.dir, env: env('gone') })).code).toBe(0);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: p.key }));
    const r = await runBin(['register', 'fraud', 'm'], { cwd: p.dir, env: env('gone') });
    expect(r.code).toBe(3);
    const m = new RegExp(
      `^mlctl: the shared registry s3://${bucket}/${p.key} at ${proxy.endpoint} has disappeared \\(this machine last saw it at ETag .*, fetched .*\\); its last copy is (\\S+): restore it with mlctl registry push \\1, or start a new, empty registry with mlctl init --yes --new-registry$`,
    ).exec(lastLine(r.stderr));
    expect(m, r.stderr).not.toBeNull();
    const lost = m![1]!;
    expect(existsSync(lost)).toBe(true);
    const push = await runBin(['registry', 'push', lost], { cwd: p.dir, env: env('gone') });
    expect(push.code, push.stderr).toBe(0);
    const list = await runBin(['list', 'fraud', '--json'], { cwd: p.dir, env: env('gone') });
    expect(json(list.stdout).data.versions).toHaveLength(1);

    // Gone again; this time the team starts over, explicitly.
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: p.key }));
    const initArgs = [
      'init',
      '--yes',
      '--force',
      '--registry',
      `s3://${bucket}/${p.key}`,
      '--artifacts',
      `s3://${bucket}/art-new`,
      '--s3-endpoint',
      proxy.endpoint,
      '--new-registry',
    ];
    const init = await runBin(initArgs, { cwd: p.dir, env: env('gone') });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toMatch(/had disappeared; its last copy is kept at \S+/);
    expect(await remoteState(p.key)).toMatchObject({ check: 'ok', versions: 0 });
    const events = await runBin(['audit', '--json'], { cwd: p.dir, env: env('gone') });
    expect(json(events.stdout).data.events.map((e: { action: string }) => e.action)).toEqual(['registry.create']);
    expect(existsSync(lost)).toBe(true);
    // Only ever a new one: an existing registry is left alone.
    const again = await runBin(initArgs, { cwd: p.dir, env: env('gone') });
    expect(again.code).toBe(2);
    expect(lastLine(again.stderr)).toMatch(
      /already exists \(1 audit event\(s\)\); --new-registry only creates a new one/,
    );
  });

  describe('the same bucket and key on another endpoint', () => {
    let other: S3rverHandle;
    beforeAll(async () => {
      other = await startS3rver();
    });
    afterAll(async () => {
      await other?.stop();
    });

    it('is another registry: a fresh server is not taken for one that disappeared', async () => {
      const key = `faults-${++n}/registry.db`;
      const p = project(proxy.endpoint, key);
      expect((await runBin(['register', 'fraud', 'm'], { cwd: p.dir, env: env('two') })).code).toBe(0);
      // A fresh test server with the same bucket name: same s3:// URI, nothing in it.
      const c = new S3Client({
        endpoint: other.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      });
      const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
      await c.send(new CreateBucketCommand({ Bucket: bucket }));
      c.destroy();
      const q = project(other.endpoint, key);
      const r = await runBin(['register', 'fraud', 'm', '--json'], { cwd: q.dir, env: env('two') });
      expect(r.code, r.stderr).toBe(0);
      expect(json(r.stdout).data.version).toBe(1);
      expect(registryCaches(join(cacheBase, 'two'))).toHaveLength(2);
    });
  });
});
