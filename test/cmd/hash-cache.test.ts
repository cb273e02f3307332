import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  readdirSync,
} from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { run, tempDir, tempProject } from '../support/helpers.js';
import { sha256Local, newHashStats } from '../../src/core/hashing/local-hash.js';
import { SqliteHashCache } from '../../src/adapters/hash-cache/sqlite-hash-cache.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const touch = (file: string, at: string) => execFileSync('touch', ['-d', at, file]);

/**
 * A digest is remembered only once the file's times are older than the racy window (100 ms), so a
 * test waits (bounded) until then before the run that should fill the cache.
 */
async function settle(file: string) {
  for (let i = 0; i < 100; i++) {
    const s = statSync(file);
    if (Date.now() - Math.max(s.mtimeMs, s.ctimeMs) > 150) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${file} kept changing`);
}

async function project() {
  const dir = await tempProject();
  const cache = tempDir('mlctl-hash-cache-');
  dirs.push(dir, cache);
  const env = { MLCTL_CACHE_DIR: cache };
  const register = async (...args: string[]) => {
    const r = await run(['register', 'm', 'model.bin', '--allow-duplicate', '--json', ...args], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    return { ...out.data, warnings: out.warnings as string[] };
  };
  return { dir, cache, env, file: join(dir, 'model.bin'), register };
}

describe('register reuses digests of unchanged files', () => {
  it('hits when nothing changed; any change of mtime, size, inode or ctime hashes again', async () => {
    const p = await project();
    writeFileSync(p.file, 'version one');
    touch(p.file, '@1700000000.123456789');
    await settle(p.file);
    const first = await register(p);
    expect(first.hashing).toEqual({ files: 1, cached: 0, bytesRead: 11 });
    expect(first.manifestDigest).toBeTruthy();
    const again = await register(p);
    expect(again.hashing).toEqual({ files: 1, cached: 1, bytesRead: 0 });
    expect(again.manifestDigest).toBe(first.manifestDigest);

    // mtime: same bytes, another time
    touch(p.file, '@1700000001.5');
    await settle(p.file);
    expect((await register(p)).hashing.cached).toBe(0);
    expect((await register(p)).hashing.cached).toBe(1);

    // size
    appendFileSync(p.file, '!');
    touch(p.file, '@1700000001.5');
    await settle(p.file);
    const grown = await register(p);
    expect(grown.hashing.cached).toBe(0);
    expect(grown.manifestDigest).not.toBe(first.manifestDigest);

    // inode: a new file with the same content, size and mtime renamed over the old one
    const tmp = `${p.file}.new`;
    writeFileSync(tmp, readFileSync(p.file));
    touch(tmp, '@1700000001.5');
    const inode = statSync(p.file).ino;
    renameSync(tmp, p.file);
    expect(statSync(p.file).ino).not.toBe(inode);
    await settle(p.file);
    const renamed = await register(p);
    expect(renamed.hashing.cached).toBe(0);
    expect(renamed.manifestDigest).toBe(grown.manifestDigest);

    // ctime only: new bytes of the same size, mtime forced back to the exact nanosecond
    expect((await register(p)).hashing.cached).toBe(1);
    const before = statSync(p.file, { bigint: true });
    writeFileSync(p.file, 'version two!');
    touch(p.file, '@1700000001.5');
    const after = statSync(p.file, { bigint: true });
    expect([after.size, after.mtimeNs, after.ino]).toEqual([before.size, before.mtimeNs, before.ino]);
    expect(after.ctimeNs).not.toBe(before.ctimeNs);
    await settle(p.file);
    const rewritten = await register(p);
    expect(rewritten.hashing.cached).toBe(0);
    const show = await run(['show', rewritten.ref, '--json'], { cwd: p.dir });
    expect(JSON.parse(show.stdout).data.files[0].sha256).toBe(sha('version two!'));
  });

  it('--no-hash-cache hashes every byte; --data files use the cache too', async () => {
    const p = await project();
    writeFileSync(p.file, 'weights');
    writeFileSync(join(p.dir, 'train.csv'), 'a,b\n1,2\n');
    await settle(p.file);
    await settle(join(p.dir, 'train.csv'));
    await register(p, '--data', 'train.csv');
    expect((await register(p, '--data', 'train.csv')).hashing).toEqual({ files: 2, cached: 2, bytesRead: 0 });
    expect((await register(p, '--data', 'train.csv', '--no-hash-cache')).hashing).toEqual({
      files: 2,
      cached: 0,
      bytesRead: 15,
    });
  });

  it('a corrupt cache file or a foreign database is ignored with a warning and left as it was', async () => {
    const p = await project();
    writeFileSync(p.file, 'weights');
    await settle(p.file);
    const db = join(p.cache, 'hash-cache', 'hashes.db');
    mkdirSync(join(p.cache, 'hash-cache'));
    writeFileSync(db, Buffer.alloc(8192, 0xab));
    const r1 = await register(p);
    expect(r1.hashing.cached).toBe(0);
    expect(r1.warnings.join('\n')).toMatch(/hash cache .*hash-cache\/hashes\.db is not usable/);
    expect(readFileSync(db).equals(Buffer.alloc(8192, 0xab))).toBe(true);

    rmSync(db);
    const foreign = new Database(db);
    foreign.exec('CREATE TABLE notes (text TEXT)');
    foreign.close();
    const r2 = await register(p);
    expect(r2.warnings.join('\n')).toMatch(/not usable \(it holds tables of another program\)/);
    const check = new Database(db, { readonly: true });
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([{ name: 'notes' }]);
    check.close();
  });

  it('malformed rows are never trusted', async () => {
    const p = await project();
    writeFileSync(p.file, 'weights');
    await settle(p.file);
    await register(p);
    const db = new Database(join(p.cache, 'hash-cache', 'hashes.db'));
    const row = db.prepare('SELECT * FROM hashes').get() as Record<string, string>;
    for (const bad of [
      { sha256: 'not-hex' },
      { sha256: sha('something else').toUpperCase() },
      { size: Number(row.size) }, // an integer where text digits are written
      { mtime_ns: `${row.mtime_ns}0` },
    ]) {
      db.prepare('UPDATE hashes SET sha256 = ?, size = ?, mtime_ns = ?').run(
        bad.sha256 ?? row.sha256,
        bad.size ?? row.size,
        bad.mtime_ns ?? row.mtime_ns,
      );
      const r = await register(p);
      expect(r.hashing.cached).toBe(0);
      expect(r.manifestDigest).toBeTruthy();
      const show = await run(['show', r.ref, '--json'], { cwd: p.dir });
      expect(JSON.parse(show.stdout).data.files[0].sha256).toBe(sha('weights'));
    }
    db.close();
  });

  it('a stale entry never stores other bytes under its digest: refused, dropped, hashed on the next run', async () => {
    const p = await project();
    writeFileSync(p.file, 'new weights');
    await settle(p.file);
    const cache = SqliteHashCache.open(join(p.cache, 'hash-cache', 'hashes.db'));
    const s = statSync(p.file, { bigint: true });
    cache.put({ dev: s.dev, ino: s.ino, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs }, sha('old weights'));
    cache.close();
    const r = await run(['register', 'm', 'model.bin'], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      `model.bin changed while it was being stored (sha256 of the bytes sent ${sha('new weights')}, expected ${sha('old weights')}); nothing was stored; its remembered digest was dropped from the hash cache; register again`,
    );
    const blobs = join(p.dir, '.mlctl/artifacts/blobs/sha256');
    expect(readdirSync(blobs, { recursive: true }).filter((f) => String(f).length > 2)).toEqual([]);
    const again = await register(p);
    expect(again.hashing).toMatchObject({ cached: 0, bytesRead: 11 });
    expect((await run(['verify', again.ref], { cwd: p.dir, env: p.env })).code).toBe(0);
  });

  it('verify never trusts it: a corrupted blob with a planted cache row is still reported', async () => {
    const p = await project();
    writeFileSync(p.file, 'weights!');
    await settle(p.file);
    await register(p);
    const blobDir = join(p.dir, '.mlctl/artifacts/blobs/sha256');
    const prefix = readdirSync(blobDir)[0]!;
    const blob = join(blobDir, prefix, readdirSync(join(blobDir, prefix))[0]!);
    writeFileSync(blob, 'WEIGHTS!'); // same size, other bytes
    await settle(blob);
    // Plant the old digest for the corrupted blob's current stamp.
    const cache = SqliteHashCache.open(join(p.cache, 'hash-cache', 'hashes.db'));
    const s = statSync(blob, { bigint: true });
    cache.put({ dev: s.dev, ino: s.ino, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs }, sha('weights!'));
    cache.close();
    const r = await run(['verify', 'm@1'], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(1);
  });
});

describe('pull checks files already at the destination through the cache', () => {
  it('hits on an unchanged destination; a rewritten file of the same size and mtime is downloaded again', async () => {
    const p = await project();
    writeFileSync(p.file, 'weights-v1');
    await settle(p.file);
    await register(p);
    const pull = async (...args: string[]) => {
      const r = await run(['pull', 'm@1', '--to', 'out', '--json', ...args], { cwd: p.dir, env: p.env });
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout).data;
    };
    expect((await pull()).files[0].action).toBe('downloaded');
    const dest = join(p.dir, 'out/model.bin');
    await settle(dest);
    expect((await pull()).hashing).toEqual({ files: 1, cached: 0, bytesRead: 10 });
    const hit = await pull();
    expect(hit.hashing).toEqual({ files: 1, cached: 1, bytesRead: 0 });
    expect(hit.files[0].action).toBe('up-to-date');
    expect((await pull('--no-hash-cache')).hashing.cached).toBe(0);

    const mtime = statSync(dest, { bigint: true }).mtimeNs;
    writeFileSync(dest, 'weights-XX');
    const ns = mtime.toString();
    touch(dest, `@${ns.slice(0, -9)}.${ns.slice(-9)}`);
    expect(statSync(dest, { bigint: true }).mtimeNs).toBe(mtime);
    const again = await pull();
    expect(again.files[0].action).toBe('downloaded');
    expect(readFileSync(dest, 'utf8')).toBe('weights-v1');
  });
});

describe('the hashing step', () => {
  it('does not remember a file changed within the racy window', async () => {
    const dir = tempDir('mlctl-racy-');
    dirs.push(dir);
    const file = join(dir, 'f');
    writeFileSync(file, 'x');
    const cache = SqliteHashCache.open(join(dir, 'c.db'));
    const ctimeMs = Number(statSync(file, { bigint: true }).ctimeNs / 1_000_000n);
    const stats = newHashStats();
    await sha256Local(file, { cache, stats, now: () => ctimeMs + 50 });
    await sha256Local(file, { cache, stats, now: () => ctimeMs + 50 });
    expect(stats.cached).toBe(0);
    await sha256Local(file, { cache, stats, now: () => ctimeMs + 500 });
    expect(await sha256Local(file, { cache, stats })).toEqual({ sha256: sha('x'), size: 1 });
    expect(stats).toEqual({ files: 4, cached: 1, bytesRead: 3 });
    cache.close();
  });
});

async function register(p: Awaited<ReturnType<typeof project>>, ...args: string[]) {
  return p.register(...args);
}
