import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { lastLine, run, runBin, tempDir, tempProject, writeJson, writeModel } from '../support/helpers.js';
import { zeroMiddlePages } from '../support/damage.js';
import { CAN_MOUNT, mountTinyDisk } from '../support/tiny-disk.js';

const json = (s: string) => JSON.parse(s);
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
/** No malformed database is ever an "unexpected error" or a question about what the file is. */
const NEVER = /unexpected error|is it an mlctl registry/;

/** A project whose registry holds enough rows to span many pages: five versions with 300 metrics each. */
async function busyProject(dir?: string): Promise<{ dir: string; db: string }> {
  const d = dir ?? (await tempProject());
  const metrics: Record<string, number> = {};
  for (let i = 0; i < 300; i++) metrics[`metric_${i}`] = i / 1000;
  writeJson(d, 'metrics.json', { metrics });
  for (let v = 1; v <= 5; v++) {
    writeModel(d, `m${v}`, { 'w.bin': `weights ${v}` });
    const r = await run(['register', 'fraud', `m${v}`, '--metrics', 'metrics.json'], { cwd: d });
    if (r.code !== 0) throw new Error(r.stderr);
  }
  return { dir: d, db: join(d, '.mlctl/registry.db') };
}

describe('a damaged local registry (pages zeroed in the middle)', () => {
  it('doctor and audit verify (quick and --full) report the damage; writes are refused and the file is left as it was', async () => {
    const { dir, db } = await busyProject();
    const pages = zeroMiddlePages(db, 3);
    expect(pages.length).toBe(3);
    const before = sha(db);

    const doctor = await run(['doctor', '--json'], { cwd: dir });
    expect(doctor.code).toBe(1);
    const check = json(doctor.stdout).data.checks.find((c: { check: string }) => c.check === 'registry integrity');
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(/registry\.db: SQLite quick_check found damage: /);
    expect(check.fix).toMatch(/restore it from a backup \(mlctl registry backup makes one\)/);

    for (const args of [
      ['audit', 'verify'],
      ['audit', 'verify', '--full'],
    ]) {
      const v = await run([...args, '--json'], { cwd: dir });
      expect(v.code, v.stderr).toBe(1);
      const data = json(v.stdout).data;
      expect(data.ok).toBe(false);
      expect(data.integrity).toMatchObject({ ok: false, check: args.length === 3 ? 'integrity_check' : 'quick_check' });
      expect(json(v.stdout).errors[0].message).toMatch(
        /SQLite (quick|integrity)_check found damage: .*; the audit chain was not checked — keep .*registry\.db aside and restore it/,
      );
    }

    const tag = await run(['tag', 'fraud@1', 'team=risk'], { cwd: dir });
    expect(tag.code).toBe(3);
    expect(lastLine(tag.stderr)).toMatch(
      /^mlctl: registry .*registry\.db (fails SQLite's quick_check \(.*\); nothing was written\. Keep|is damaged \(SQLite: .*\); keep) the damaged file aside and restore .*registry\.db from a backup \(made with mlctl registry backup\) or from a shared copy \(mlctl registry pull .*registry\.db --from s3:\/\/… --force\)/,
    );
    expect(sha(db)).toBe(before);
    for (const args of [['list'], ['show', 'fraud@3'], ['audit'], ['tag', 'fraud@1', 'a=b'], ['archive', 'fraud@2']]) {
      const r = await run(args, { cwd: dir });
      expect(r.stderr, args.join(' ')).not.toMatch(NEVER);
      if (r.code !== 0) expect(r.code, args.join(' ')).toBe(3);
    }
    expect(sha(db)).toBe(before);
  });

  it('registry backup makes a checked copy while the registry is in use; restoring it over a damaged file brings writes back', async () => {
    const { dir, db } = await busyProject();
    const backup = join(tempDir(), 'registry-backup.db');
    const r = await run(['registry', 'backup', backup, '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).data).toMatchObject({ location: db, dest: backup });
    const copy = new Database(backup, { readonly: true });
    expect(copy.pragma('quick_check', { simple: true })).toBe('ok');
    expect((copy.prepare('SELECT count(*) AS n FROM versions').get() as { n: number }).n).toBe(5);
    copy.close();
    expect((await run(['registry', 'backup', backup], { cwd: dir })).code).toBe(2);
    expect((await run(['registry', 'backup', backup, '--force'], { cwd: dir })).code).toBe(0);

    zeroMiddlePages(db, 3);
    const refused = await run(['registry', 'backup', join(tempDir(), 'b2.db')], { cwd: dir });
    expect(refused.code).toBe(3);
    expect(refused.stderr).not.toMatch(NEVER);
    expect(lastLine(refused.stderr)).toMatch(/registry .*registry\.db .*(damaged|quick_check)/);

    // Restore: the backup over the damaged file (its -wal and -shm gone), and writes work again.
    for (const s of ['-wal', '-shm']) rmSync(`${db}${s}`, { force: true });
    copyFileSync(backup, db);
    const tag = await run(['tag', 'fraud@1', 'team=risk'], { cwd: dir });
    expect(tag.code, tag.stderr).toBe(0);
    expect((await run(['audit', 'verify'], { cwd: dir })).code).toBe(0);
  });

  it('a file that is not a database at all: every command names it, exit 3, never "unexpected"', async () => {
    const dir = await tempProject();
    const db = join(dir, '.mlctl/registry.db');
    for (const s of ['', '-wal', '-shm']) rmSync(`${db}${s}`, { force: true });
    writeFileSync(db, Buffer.alloc(64 * 1024, 7));
    for (const args of [['list'], ['tag', 'fraud@1', 'a=b']]) {
      const r = await run(args, { cwd: dir });
      expect(r.code, args.join(' ')).toBe(3);
      expect(lastLine(r.stderr)).toMatch(
        /^mlctl: registry .*registry\.db is not an SQLite database, or its first page is damaged \(SQLITE_NOTADB\)/,
      );
    }
    // audit verify reports it as a finding (exit 1), like any damage it finds.
    const v = await run(['audit', 'verify'], { cwd: dir });
    expect(v.code).toBe(1);
    expect(lastLine(v.stderr)).toMatch(
      /^mlctl: .*registry\.db: SQLite quick_check found damage: it cannot even be opened: file is not a database \(SQLITE_NOTADB\); the audit chain was not checked/,
    );
  });
});

describe('registry settings', () => {
  it('an unknown scheme is exit 2 naming the supported ones; no file is created and no credential is shown', async () => {
    const dir = await tempProject();
    const cfg = readFileSync(join(dir, 'mlctl.yaml'), 'utf8').replace(
      /^registry: .*$/m,
      'registry: mysql://ml:s3cret@db.example.com/mlctl',
    );
    writeFileSync(join(dir, 'mlctl.yaml'), cfg);
    const before = readdirSync(dir).sort();
    const r = await run(['list'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(lastLine(r.stderr)).toBe(
      'mlctl: mlctl.yaml: registry "mysql://…@db.example.com/mlctl": unsupported scheme "mysql://"; supported: a local SQLite file (a path, or file:///abs/path); a SQLite registry shared on S3 (s3://bucket/key); a PostgreSQL database (postgres://user@host:5432/dbname, or postgresql://)',
    );
    expect(r.stderr).not.toMatch(/s3cret/);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('file:// URLs name a local file', async () => {
    const { dir, db } = await busyProject();
    const r = await run(['list', '--registry', `file://${db}`, '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).data.models[0]).toMatchObject({ name: 'fraud', versions: 5 });
  });
});

describe.skipIf(!CAN_MOUNT)('a registry on a read-only file system (tmpfs remounted read-only; needs root)', () => {
  it('read commands work; a write says the file system is read-only, exit 3', async () => {
    const disk = mountTinyDisk(8 * 1024 * 1024);
    try {
      const { dir, db } = await busyProject(await tempProjectIn(disk.dir));
      disk.readOnly();
      for (const args of [
        ['list', '--json'],
        ['show', 'fraud@5', '--json'],
        ['audit', 'verify', '--json'],
      ]) {
        const r = await runBin(args, { cwd: dir });
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      }
      const show = json((await runBin(['show', 'fraud@5', '--json'], { cwd: dir })).stdout).data;
      expect(show).toMatchObject({ model: 'fraud', version: 5 });
      const tag = await runBin(['tag', 'fraud@1', 'a=b'], { cwd: dir });
      expect(tag.code).toBe(3);
      expect(lastLine(tag.stderr)).toMatch(
        /^mlctl: registry .*registry\.db cannot be written here: the file system is read-only \(EROFS\) for .*; read commands work, writes need a writable location$/,
      );
      expect(existsSync(`${db}-wal`)).toBe(false);
    } finally {
      disk.unmount();
    }
  });
});

describe.skipIf(process.getuid?.() === 0)('a registry in a folder this user may not write (chmod; as non-root)', () => {
  it('read commands work; a write is refused with exit 4 naming the permission', async () => {
    const { dir } = await busyProject();
    const folder = join(dir, '.mlctl');
    chmodSync(folder, 0o555);
    try {
      expect((await runBin(['list', '--json'], { cwd: dir })).code).toBe(0);
      const tag = await runBin(['tag', 'fraud@1', 'a=b'], { cwd: dir });
      expect(tag.code).toBe(4);
      expect(lastLine(tag.stderr)).toMatch(/cannot be written here: permission denied \(EACCES\) for /);
    } finally {
      chmodSync(folder, 0o755);
    }
  });
});

describe.skipIf(!CAN_MOUNT)('a full disk (a 3 MiB tmpfs; needs root)', () => {
  it('a write to a registry on a full disk says so, writes nothing, and the registry stays intact', async () => {
    const disk = mountTinyDisk(3 * 1024 * 1024);
    try {
      const dir = await tempProjectIn(disk.dir, { artifacts: tempDir('mlctl-art-') });
      writeModel(dir, 'm', { 'w.bin': 'weights' });
      expect((await run(['register', 'fraud', 'm'], { cwd: dir })).code).toBe(0);
      fill(disk.dir);
      const tag = await runBin(['tag', 'fraud@1', 'team=risk'], { cwd: dir });
      expect(tag.code).toBe(3);
      expect(tag.stderr).not.toMatch(NEVER);
      expect(lastLine(tag.stderr)).toMatch(
        /^mlctl: no space left on the disk holding .*registry\.db.*nothing was written/,
      );
      rmSync(join(disk.dir, 'filler'), { force: true });
      const show = await runBin(['show', 'fraud@1', '--json'], { cwd: dir });
      expect(json(show.stdout).data.tags).toEqual({});
      expect((await runBin(['audit', 'verify'], { cwd: dir })).code).toBe(0);
    } finally {
      disk.unmount();
    }
  });

  it('pull onto a full disk: says so, and leaves no partial destination', async () => {
    const disk = mountTinyDisk(3 * 1024 * 1024);
    try {
      const dir = await tempProject();
      writeModel(dir, 'm', { 'a.bin': Buffer.alloc(1024 * 1024, 1), 'b.bin': Buffer.alloc(1024 * 1024, 2) });
      expect((await run(['register', 'fraud', 'm'], { cwd: dir })).code).toBe(0);
      writeFileSync(join(disk.dir, 'filler'), Buffer.alloc(2 * 1024 * 1024));
      const out = join(disk.dir, 'out');
      const r = await runBin(['pull', 'fraud@1', '--to', out], { cwd: dir });
      expect(r.code).toBe(3);
      expect(lastLine(r.stderr)).toMatch(
        /^mlctl: cannot write .*: no space left on the device \(ENOSPC\); free some space/,
      );
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(disk.dir)).toEqual(['filler']);
    } finally {
      disk.unmount();
    }
  });
});

/** A project folder inside `root` (e.g. a small disk), its artifacts optionally elsewhere. */
async function tempProjectIn(root: string, o: { artifacts?: string } = {}): Promise<string> {
  const dir = join(root, 'project');
  mkdirSync(dir);
  const args = ['init', '--yes', ...(o.artifacts ? ['--artifacts', o.artifacts] : [])];
  const r = await run(args, { cwd: dir });
  if (r.code !== 0) throw new Error(r.stderr);
  return dir;
}

/** Fill a disk to the last byte. */
function fill(dir: string): void {
  const chunk = Buffer.alloc(64 * 1024);
  const fd = openSync(join(dir, 'filler'), 'w');
  try {
    for (let i = 0; i < 100_000; i++) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}
