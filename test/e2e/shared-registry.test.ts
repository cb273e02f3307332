import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BIN,
  S3_CREDS,
  baseEnv,
  createBucket,
  lastLine,
  run,
  runBin,
  tempDir,
  writeModel,
  runBinOk,
} from '../support/helpers.js';
import { startStrictS3, type RequestInfo, type StrictS3 } from '../support/strict-s3.js';

const json = (s: string) => JSON.parse(s);
let strict: StrictS3;
let bucket: string;
let hook: ((r: RequestInfo) => { delayMs?: number; status?: number } | void) | undefined;

beforeAll(async () => {
  bucket = await createBucket(inject('s3Endpoint'));
  // Conditional writes (If-None-Match / If-Match) are what the locking relies on: s3rver ignores
  // them, so the registry talks to the strict layer that enforces them, as AWS, MinIO and R2 do.
  strict = await startStrictS3({
    upstream: inject('s3Endpoint'),
    credentials: { S3RVER: 'S3RVER' },
    hook: (r) => hook?.(r),
  });
});
afterAll(async () => {
  await strict?.close();
});

let n = 0;
/** A project whose registry and artifacts are in the shared bucket; `machine` picks a separate cache dir. */
function project(registryKey = `reg-${++n}/registry.db`) {
  const dir = tempDir('mlctl-shared-');
  writeFileSync(
    join(dir, 'mlctl.yaml'),
    `registry: s3://${bucket}/${registryKey}\nartifacts: s3://${bucket}/art-${n}\ns3: { endpoint: ${strict.endpoint}, region: us-east-1, forcePathStyle: true }\n`,
  );
  writeModel(dir, 'm', { 'w.bin': 'weights' });
  return { dir, key: registryKey };
}
const env = (machine: string, extra: Record<string, string> = {}) => ({
  ...S3_CREDS,
  MLCTL_CACHE_DIR: join(cacheBase, machine),
  MLCTL_NOW: '',
  ...extra,
});
const cacheBase = tempDir('mlctl-cache-');
/** Start a writer, hold its registry upload at the server, and SIGKILL it there: it dies holding the lock. */
async function killedWhileHoldingLock(p: { dir: string; key: string }, args: string[], machine: string) {
  hook = (r) => (r.method === 'PUT' && r.key.endsWith(p.key) ? { delayMs: 8_000 } : undefined);
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: p.dir,
    env: baseEnv(env(machine)) as NodeJS.ProcessEnv,
    stdio: 'ignore',
  });
  try {
    for (
      let i = 0;
      i < 200 && !strict.requests.some((r) => r.method === 'PUT' && r.key.endsWith(p.key) && r.headers['if-match']);
      i++
    )
      await new Promise((res) => setTimeout(res, 50));
    child.kill('SIGKILL');
    await new Promise((res) => child.once('exit', res));
  } finally {
    hook = undefined;
  }
  return child;
}
const since = (mark: number, key: string) => strict.requests.slice(mark).filter((r) => r.key.includes(key));

describe('shared SQLite registry on S3', () => {
  it('8 processes registering versions of one model at once: 8 distinct versions, none lost, audit chain valid', async () => {
    const p = project();
    for (let i = 0; i < 8; i++) writeModel(p.dir, `m${i}`, { 'w.bin': `weights ${i}` });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        runBin(['register', 'fraud', `m${i}`, '--json'], { cwd: p.dir, env: env(`m${i}`), timeoutMs: 120_000 }),
      ),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const versions = results.map((r) => json(r.stdout).data.version).sort((a: number, b: number) => a - b);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const list = await runBin(['list', 'fraud', '--json'], { cwd: p.dir, env: env('reader') });
    expect(
      json(list.stdout)
        .data.versions.map((v: { version: number }) => v.version)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const verify = await runBin(['audit', 'verify', '--json'], { cwd: p.dir, env: env('reader') });
    expect(verify.code, verify.stderr).toBe(0);
    expect(json(verify.stdout).data).toMatchObject({ ok: true, events: 8 });
    // The lock is gone.
    expect((await runBin(['registry', 'status'], { cwd: p.dir, env: env('reader') })).stdout).toMatch(/lock: free/);
  });

  it('an unchanged registry costs one HEAD; a stale cache is refreshed with one GET', async () => {
    const p = project();
    const first = await runBin(['register', 'fraud', 'm'], { cwd: p.dir, env: env('a') });
    expect(first.code, first.stderr).toBe(0);
    await runBinOk(['list'], { cwd: p.dir, env: env('b') }); // b caches it
    let mark = strict.requests.length;
    const r = await runBin(['show', 'fraud@1', '--json'], { cwd: p.dir, env: env('b') });
    expect(r.code, r.stderr).toBe(0);
    expect(since(mark, p.key).map((x) => x.method)).toEqual(['HEAD']);
    // a writes again: b's copy is stale and is refreshed by one GET after the HEAD.
    writeModel(p.dir, 'm2', { 'w.bin': 'two' });
    mark = strict.requests.length;
    expect((await runBin(['register', 'fraud', 'm2'], { cwd: p.dir, env: env('a') })).code).toBe(0);
    const write = since(mark, p.key).map((x) => `${x.method}${x.key.endsWith('.lock') ? ' lock' : ''}`);
    // open (HEAD), lock (PUT), refresh under the lock (HEAD), upload (PUT), unlock (DELETE).
    expect(write).toEqual(['HEAD', 'PUT lock', 'HEAD', 'PUT', 'DELETE lock']);
    mark = strict.requests.length;
    const fresh = await runBin(['show', 'fraud@2', '--json'], { cwd: p.dir, env: env('b') });
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(since(mark, p.key).map((x) => x.method)).toEqual(['HEAD', 'GET']);
  });

  it('--offline reads the cached copy and says how old it is; writes are refused', async () => {
    const p = project();
    expect((await runBin(['register', 'fraud', 'm'], { cwd: p.dir, env: env('off') })).code).toBe(0);
    const mark = strict.requests.length;
    const r = await runBin(['show', 'fraud@1', '--offline'], { cwd: p.dir, env: env('off') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^offline: using the copy of s3:\/\/.*registry\.db fetched at .* \(\d+ min old\)$/m);
    expect(since(mark, p.key)).toEqual([]);
    const w = await runBin(['tag', 'fraud@1', 'x=1', '--offline'], { cwd: p.dir, env: env('off') });
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/--offline: s3:\/\/.* cannot be changed without reaching S3; run the command online/);
    const none = await runBin(['list', '--offline'], { cwd: p.dir, env: env('never-online') });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/there is no cached copy of s3:\/\/.* on this machine; run once online/);
  });

  it('a writer killed while holding the lock: others report the holder, then proceed after unlock or expiry; no partial database is visible', async () => {
    const p = project();
    expect((await runBin(['register', 'fraud', 'm'], { cwd: p.dir, env: env('k1') })).code).toBe(0);
    writeModel(p.dir, 'm2', { 'w.bin': 'two' });
    const child = await killedWhileHoldingLock(p, ['register', 'fraud', 'm2'], 'k2');
    const blocked = await runBin(['tag', 'fraud@1', 'team=risk', '--lock-timeout', '1s'], {
      cwd: p.dir,
      env: env('k3'),
    });
    expect(blocked.code).toBe(3);
    expect(blocked.stderr).toMatch(/^waiting for the registry lock held by tester@example.com/);
    expect(lastLine(blocked.stderr)).toMatch(
      new RegExp(
        `^mlctl: the shared registry s3://${bucket}/${p.key} is locked by tester@example.com on .* \\(pid ${child.pid}, \`mlctl register fraud m2\`\\) since .*, lock [0-9a-f-]{36}, expires .*; wait and retry \\(--lock-timeout\\), or if that process is gone: mlctl registry unlock [0-9a-f-]{36}$`,
      ),
    );
    // Reads still work and see the last complete database: one version.
    const list = await runBin(['list', 'fraud', '--json'], { cwd: p.dir, env: env('k3') });
    expect(json(list.stdout).data.versions).toHaveLength(1);
    const status = json((await runBin(['registry', 'status', '--json'], { cwd: p.dir, env: env('k3') })).stdout).data;
    expect(status.lock).toMatchObject({ pid: child.pid, command: 'mlctl register fraud m2', expired: false });
    // After expiry (a fixed clock 11 minutes on), the next writer takes the lock over.
    const later = new Date(Date.parse(status.lock.created) + 11 * 60_000).toISOString();
    const taken = await runBin(['tag', 'fraud@1', 'team=risk'], { cwd: p.dir, env: env('k3', { MLCTL_NOW: later }) });
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stderr).toMatch(/took over the expired registry lock of tester@example.com/);
    expect((await runBin(['registry', 'status'], { cwd: p.dir, env: env('k3') })).stdout).toMatch(/lock: free/);
  });

  it('registry unlock removes a stale lock by id and records it in the audit log', async () => {
    const p = project();
    expect((await runBin(['register', 'fraud', 'm'], { cwd: p.dir, env: env('u1') })).code).toBe(0);
    const child = await killedWhileHoldingLock(p, ['tag', 'fraud@1', 'a=b'], 'u2');
    const status = json((await runBin(['registry', 'status', '--json'], { cwd: p.dir, env: env('u3') })).stdout).data;
    const wrong = await runBin(['registry', 'unlock', 'not-the-id'], { cwd: p.dir, env: env('u3') });
    expect(wrong.code).toBe(2);
    const un = await runBin(['registry', 'unlock', status.lock.id], { cwd: p.dir, env: env('u3') });
    expect(un.code, un.stderr).toBe(0);
    const events = json(
      (await runBin(['audit', '--action', 'registry.unlock', '--json'], { cwd: p.dir, env: env('u3') })).stdout,
    ).data.events;
    expect(events[0].payload.lock).toMatchObject({ id: status.lock.id, pid: child.pid });
    // The killed tag never landed.
    expect(
      json((await runBin(['show', 'fraud@1', '--json'], { cwd: p.dir, env: env('u3') })).stdout).data.tags,
    ).toEqual({});
  });

  it('push and pull move a local registry to S3 and back, refusing to overwrite without --force', async () => {
    const local = tempDir('mlctl-local-');
    expect((await run(['init', '--yes'], { cwd: local })).code).toBe(0);
    writeModel(local, 'm', { 'w.bin': 'x' });
    expect((await run(['register', 'fraud', 'm'], { cwd: local })).code).toBe(0);
    const p = project();
    const push = await runBin(['registry', 'push', join(local, '.mlctl/registry.db')], { cwd: p.dir, env: env('p') });
    expect(push.code, push.stderr).toBe(0);
    expect(
      json((await runBin(['list', 'fraud', '--json'], { cwd: p.dir, env: env('p') })).stdout).data.versions,
    ).toHaveLength(1);
    const again = await runBin(['registry', 'push', join(local, '.mlctl/registry.db')], { cwd: p.dir, env: env('p') });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists \(\d+ bytes\); pass --force to replace it/);
    const out = join(tempDir(), 'copy.db');
    expect((await runBin(['registry', 'pull', out], { cwd: p.dir, env: env('p') })).code).toBe(0);
    expect((await runBin(['registry', 'pull', out], { cwd: p.dir, env: env('p') })).code).toBe(2);
    const viaCopy = await run(['list', 'fraud', '--json', '--registry', out], { cwd: local });
    expect(json(viaCopy.stdout).data.versions).toHaveLength(1);
  });

  it('S3 down: exit 3 naming the endpoint; the local cache is not corrupted', async () => {
    const p = project();
    expect((await runBin(['register', 'fraud', 'm'], { cwd: p.dir, env: env('d') })).code).toBe(0);
    hook = (r) => (r.key.includes(p.key) ? { status: 503 } : undefined);
    try {
      const r = await runBin(['list', 'fraud'], { cwd: p.dir, env: env('d') });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(
        new RegExp(`^mlctl: S3 HEAD ${p.key} failed at ${strict.endpoint.replace(/[.]/g, '\\.')}`),
      );
    } finally {
      hook = undefined;
    }
    const down = project(p.key);
    writeFileSync(
      join(down.dir, 'mlctl.yaml'),
      `registry: s3://${bucket}/${p.key}\ns3: { endpoint: http://127.0.0.1:1, region: us-east-1, forcePathStyle: true }\n`,
    );
    const refused = await runBin(['list'], { cwd: down.dir, env: env('d') });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/cannot reach S3 endpoint http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/);
    const cached = readdirSync(join(cacheBase, 'd')).flatMap((d) => readdirSync(join(cacheBase, 'd', d)));
    expect(cached.filter((f) => f.startsWith('private-') || f.includes('.tmp-'))).toEqual([]);
    expect((await runBin(['list', 'fraud', '--offline', '--json'], { cwd: p.dir, env: env('d') })).code).toBe(0);
    // The same bucket and key on another endpoint is another registry, with a cache of its own.
    const elsewhere = await runBin(['list', '--offline'], { cwd: down.dir, env: env('d') });
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/there is no cached copy of s3:\/\/.* on this machine/);
    expect(existsSync(join(cacheBase, 'd'))).toBe(true);
  });
});
