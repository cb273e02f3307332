import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SqliteRegistry } from '../../src/adapters/sqlite/sqlite-registry.js';
import { PgRegistry } from '../../src/adapters/postgres/pg-registry.js';
import { parsePgUrl } from '../../src/adapters/postgres/connection.js';
import type { Registry } from '../../src/ports/registry.js';
import { S3_CREDS, createBucket, runBin, tempDir } from '../support/helpers.js';
import { startStrictS3, type StrictS3 } from '../support/strict-s3.js';
import { createDatabase, psqlAdmin, PW_PASSWORD, PW_USER } from '../support/postgres.js';
import { seed, snapshot } from '../support/registry-snapshot.js';

const base = inject('pgBase');
const pgEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
const json = (s: string) => JSON.parse(s);

let strict: StrictS3;
let bucket: string;
beforeAll(async () => {
  bucket = await createBucket(inject('s3Endpoint'));
  // The shared registry relies on conditional writes, which s3rver ignores: the strict layer enforces them.
  strict = await startStrictS3({ upstream: inject('s3Endpoint'), credentials: { S3RVER: 'S3RVER' } });
});
afterAll(async () => {
  await strict?.close();
});

let n = 0;
/** A project whose configured registry is a fresh key on S3 (the default end of push and pull). */
function project(): { dir: string; s3: string } {
  const dir = tempDir('mlctl-move-');
  const s3 = `s3://${bucket}/move-${++n}/registry.db`;
  writeFileSync(
    join(dir, 'mlctl.yaml'),
    `registry: ${s3}\nartifacts: .mlctl/artifacts\ns3: { endpoint: ${strict.endpoint}, region: us-east-1, forcePathStyle: true }\n`,
  );
  return { dir, s3 };
}
const env = (extra: Record<string, string> = {}) => ({
  ...S3_CREDS,
  MLCTL_CACHE_DIR: tempDir('mlctl-cache-'),
  ...extra,
});

async function seededFile(): Promise<string> {
  const file = join(tempDir(), 'a.db');
  const r = SqliteRegistry.open(file, { create: true });
  await seed(r);
  await r.close();
  return file;
}

async function withSqlite<T>(file: string, fn: (r: Registry) => Promise<T>): Promise<T> {
  const r = SqliteRegistry.open(file);
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}
async function withPg<T>(url: string, fn: (r: PgRegistry) => Promise<T>): Promise<T> {
  const r = await PgRegistry.open(parsePgUrl(url, pgEnv), pgEnv);
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}

async function s3Exists(uri: string): Promise<boolean> {
  const [b, ...key] = uri.replace('s3://', '').split('/');
  const client = new S3Client({
    endpoint: inject('s3Endpoint'),
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  try {
    await client.send(new HeadObjectCommand({ Bucket: b, Key: key.join('/') }));
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

/** Drop the append-only trigger and edit the first event: the chain breaks at event 1. */
function tamper(file: string): void {
  const db = new Database(file);
  db.exec("DROP TRIGGER events_append_only_update; UPDATE events SET actor = 'mallory' WHERE seq = 1");
  db.close();
}

describe.skipIf(!base)(
  'registry push/pull between a file, the S3-shared file and PostgreSQL (skipped only without the postgresql package)',
  () => {
    it('file → PostgreSQL → S3 → file (and S3 → PostgreSQL → file, file → S3) keeps everything, verified on both sides', async () => {
      const { dir, s3 } = project();
      const a = await seededFile();
      const want = await withSqlite(a, snapshot);
      const pg1 = createDatabase(base);
      const pg2 = createDatabase(base);
      const o = { cwd: dir, env: env() };

      // file → PostgreSQL: rows, every table counted, the chain head reported.
      const toPg = await runBin(['registry', 'push', a, '--to', pg1, '--json'], o);
      expect(toPg.code, toPg.stderr).toBe(0);
      const d1 = json(toPg.stdout).data;
      expect(d1).toMatchObject({
        route: 'rows',
        from: a,
        to: parsePgUrl(pg1, pgEnv).display,
        events: 2,
        replaced: false,
        rows: { models: 2, versions: 3, gate_runs: 1, rollouts: 1, steps: 1, events: 2 },
      });
      expect(d1.head).toMatch(/^[0-9a-f]{64}$/);

      // PostgreSQL → the configured S3-shared registry (the default target).
      const toS3 = await runBin(['registry', 'push', pg1, '--json'], o);
      expect(toS3.code, toS3.stderr).toBe(0);
      expect(json(toS3.stdout).data).toMatchObject({ route: 'rows', to: s3, head: d1.head, events: 2 });

      // S3 → file (bytes; the configured registry is the default source).
      const c = join(tempDir(), 'sub', 'c.db');
      const toFile = await runBin(['registry', 'pull', c, '--json'], o);
      expect(toFile.code, toFile.stderr).toBe(0);
      expect(json(toFile.stdout).data).toMatchObject({ route: 'bytes', from: s3, to: c, head: d1.head });
      expect(json(toFile.stdout).data.rows).toEqual(d1.rows);

      // S3 → PostgreSQL, then PostgreSQL → file.
      const s3ToPg = await runBin(['registry', 'push', s3, '--to', pg2], o);
      expect(s3ToPg.code, s3ToPg.stderr).toBe(0);
      const d = join(tempDir(), 'd.db');
      const fromPg = await runBin(['registry', 'pull', d, '--from', pg2], o);
      expect(fromPg.code, fromPg.stderr).toBe(0);
      expect(fromPg.stdout).toMatch(/: 2 models, 3 versions, 2 events, chain head [0-9a-f]{12} verified on both sides/);

      // file → S3 (bytes), and back.
      const other = `s3://${bucket}/move-other-${n}/registry.db`;
      expect((await runBin(['registry', 'push', d, '--to', other], o)).code).toBe(0);
      const e = join(tempDir(), 'e.db');
      expect((await runBin(['registry', 'pull', e, '--from', other], o)).code).toBe(0);

      for (const f of [c, d, e]) expect(await withSqlite(f, snapshot), f).toEqual(want);
      expect(await withPg(pg2, snapshot)).toEqual(want);
      // The copy is a working registry for every command.
      const list = await runBin(['list', 'fraud', '--json', '--registry', pg2], o);
      expect(json(list.stdout).data.versions).toHaveLength(2);
    });

    it('refuses a target that holds a registry, leaving it as it was; PostgreSQL even with --force', async () => {
      const { dir, s3 } = project();
      const a = await seededFile();
      const pg = createDatabase(base);
      const o = { cwd: dir, env: env() };
      expect((await runBin(['registry', 'push', a, '--to', pg], o)).code).toBe(0);
      expect((await runBin(['registry', 'push', a], o)).code).toBe(0);
      const before = await withPg(pg, snapshot);

      const other = join(tempDir(), 'other.db');
      const r = SqliteRegistry.open(other, { create: true });
      await seed(r);
      await r.close();
      for (const args of [
        ['registry', 'push', other, '--to', pg],
        ['registry', 'push', other, '--to', pg, '--force'],
      ]) {
        const refused = await runBin(args, o);
        expect(refused.code, args.join(' ')).toBe(2);
        expect(refused.stderr).toMatch(
          /already holds a registry \(2 models, 2 events\); mlctl never replaces a PostgreSQL registry, even with --force/,
        );
      }
      expect(await withPg(pg, snapshot)).toEqual(before);

      // A file and an S3 object: refused without --force, nothing changed; replaced with it.
      const c = join(tempDir(), 'c.db');
      writeFileSync(c, 'keep me');
      const noForce = await runBin(['registry', 'pull', c, '--from', pg], o);
      expect(noForce.code).toBe(2);
      expect(noForce.stderr).toMatch(/c\.db exists; pass --force to replace it/);
      expect(readFileSync(c, 'utf8')).toBe('keep me');
      const s3Refused = await runBin(['registry', 'push', pg, '--to', s3], o);
      expect(s3Refused.code).toBe(2);
      expect(s3Refused.stderr).toMatch(/already exists \(\d+ bytes\); pass --force to replace it/);

      const forced = await runBin(['registry', 'pull', c, '--from', pg, '--force'], o);
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stderr).toContain(`replaced the previous ${c}`);
      expect(await withSqlite(c, snapshot)).toEqual(before);
    });

    it('refuses a source whose audit chain is broken: nothing is written, on every route', async () => {
      const { dir } = project();
      const a = await seededFile();
      tamper(a);
      const pg = createDatabase(base);
      const o = { cwd: dir, env: env() };
      const s3 = `s3://${bucket}/broken-${n}/registry.db`;
      const f = join(tempDir(), 'f.db');
      for (const args of [
        ['registry', 'push', a, '--to', pg],
        ['registry', 'push', a, '--to', s3],
        ['registry', 'pull', f, '--from', a],
      ]) {
        const r = await runBin(args, o);
        expect(r.code, args.join(' ')).toBe(3);
        expect(r.stderr).toMatch(/the audit chain is broken at event 1 .*nothing was copied — run mlctl audit verify/);
      }
      expect(await withPg(pg, (r) => r.isEmpty())).toBe(true);
      expect(await s3Exists(s3)).toBe(false);
      expect(existsSync(f)).toBe(false);

      // A broken PostgreSQL source (a superuser dropped the trigger and edited a row).
      const good = await seededFile();
      const pg2 = createDatabase(base);
      expect((await runBin(['registry', 'push', good, '--to', pg2], o)).code).toBe(0);
      psqlAdmin(
        pg2,
        "ALTER TABLE events DISABLE TRIGGER USER; UPDATE events SET actor = 'mallory' WHERE seq = 2; ALTER TABLE events ENABLE TRIGGER USER",
      );
      const r = await runBin(['registry', 'pull', f, '--from', pg2], o);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/the audit chain is broken at event 2/);
      expect(existsSync(f)).toBe(false);
    });

    it('refuses a source that is not an mlctl registry (empty, foreign SQLite, garbage) and leaves it untouched (exit 2)', async () => {
      const { dir } = project();
      const d = tempDir();
      const empty = join(d, 'empty.db');
      writeFileSync(empty, '');
      const foreign = join(d, 'other.db');
      const db = new Database(foreign);
      db.exec('CREATE TABLE x(a)');
      db.close();
      const garbage = join(d, 'garbage.db');
      writeFileSync(garbage, 'not a database at all\n'.repeat(100));
      const before = [empty, foreign, garbage].map((f) => readFileSync(f));
      for (const src of [empty, foreign, garbage]) {
        const out = join(d, `out-${relative(d, src)}`);
        const r = await runBin(['registry', 'push', src, '--to', out], { cwd: dir, env: env() });
        expect(r.code, src).toBe(2);
        expect(r.stderr).toContain(`${src} is not an mlctl registry`);
        expect(existsSync(out)).toBe(false);
      }
      expect([empty, foreign, garbage].map((f) => readFileSync(f))).toEqual(before);
    });

    it('one clear line for an unreachable server, a password in the URL, a same source and target; no password printed', async () => {
      const { dir } = project();
      const a = await seededFile();
      const o = { cwd: dir, env: env() };
      const down = await runBin(['registry', 'push', a, '--to', 'postgres://postgres@127.0.0.1:1/db'], o);
      expect(down.code).toBe(3);
      expect(down.stderr.trim().split('\n')).toHaveLength(1);
      expect(down.stderr).toMatch(/cannot reach PostgreSQL at 127\.0\.0\.1:1: connection refused/);
      const downPull = await runBin(
        ['registry', 'pull', join(tempDir(), 'x.db'), '--from', 'postgres://postgres@127.0.0.1:1/db'],
        o,
      );
      expect(downPull.code).toBe(3);

      const withPw = await runBin(['registry', 'push', a, '--to', 'postgres://u:hunter2@127.0.0.1:1/db', '--json'], o);
      expect(withPw.code).toBe(2);
      expect(json(withPw.stdout).errors[0].message).toMatch(/--to: the PostgreSQL URL contains a password/);
      expect(withPw.stdout + withPw.stderr).not.toContain('hunter2');

      const pg = createDatabase(base);
      const port = new URL(pg).port;
      for (const [args, what] of [
        [['registry', 'push', a, '--to', relative(dir, a)], a],
        // The same database as another user is still the same registry.
        [['registry', 'push', pg, '--to', pg.replace('postgres@', `${PW_USER}@`)], 'the same database'],
      ] as const) {
        const r = await runBin([...args], o);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr).toContain(`the source and the target are the same registry (${what})`);
      }

      // A password from PGPASSWORD works and is never printed; a wrong one is one line, exit 3.
      const pwDb = createDatabase(base, PW_USER);
      const url = pwDb.replace('postgres://postgres@', `postgres://${PW_USER}@`);
      const ok = await runBin(['registry', 'push', a, '--to', url, '--json'], {
        cwd: dir,
        env: env({ PGPASSWORD: PW_PASSWORD }),
      });
      expect(ok.code, ok.stderr).toBe(0);
      expect(json(ok.stdout).data.to).toBe(`postgres://${PW_USER}@127.0.0.1:${port}/${new URL(url).pathname.slice(1)}`);
      const back = await runBin(['registry', 'pull', join(tempDir(), 'b.db'), '--from', url], {
        cwd: dir,
        env: env({ PGPASSWORD: PW_PASSWORD }),
      });
      expect(back.code, back.stderr).toBe(0);
      const wrong = await runBin(['registry', 'pull', join(tempDir(), 'w.db'), '--from', url], {
        cwd: dir,
        env: env({ PGPASSWORD: 'wrong-Secret-9' }),
      });
      expect(wrong.code).toBe(3);
      expect(wrong.stderr).toMatch(/authentication failed/);
      for (const r of [ok, back, wrong])
        expect(r.stdout + r.stderr).not.toMatch(/correct horse|wrong-Secret-9| {4}at /);
    });
  },
);
