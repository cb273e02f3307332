import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { FileStamp, HashCache } from '../../ports/hash-cache.js';

/** 'mlct' in the SQLite header's application_id: a file with another id is not ours to touch. */
const APPLICATION_ID = 0x6d6c6374;
const SCHEMA_VERSION = 1;
/** Rows kept; past this the least recently used go (deleted files leave rows behind). */
const MAX_ROWS = 200_000;
const KEEP_ROWS = 150_000;
const HEX64 = /^[0-9a-f]{64}$/;

const sameStamp = (a: FileStamp, b: FileStamp) =>
  a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;

interface Row {
  size: unknown;
  mtime_ns: unknown;
  ctime_ns: unknown;
  sha256: unknown;
}

/**
 * The hash cache in one SQLite file of the user's cache folder. WAL and a busy timeout let several
 * mlctl processes share it; big integers (inodes, ns times) are stored as decimal text. Every
 * failure turns the cache off for the run instead of failing the command.
 */
export class SqliteHashCache implements HashCache {
  problem: string | undefined;
  private db: Database.Database | undefined;
  private pending = new Map<string, { stamp: FileStamp; sha256: string }>();
  private hits = new Map<string, FileStamp>();

  private constructor(private readonly file: string) {}

  static open(file: string, now: () => number = Date.now): SqliteHashCache {
    const cache = new SqliteHashCache(file);
    cache.now = now;
    try {
      mkdirSync(dirname(file), { recursive: true });
      const db = new Database(file, { timeout: 5_000 });
      cache.db = db;
      // Read before anything is written: a file that is not ours is left exactly as it is.
      const app = db.pragma('application_id', { simple: true }) as number;
      const version = db.pragma('user_version', { simple: true }) as number;
      if (app !== 0 && app !== APPLICATION_ID) return cache.off('it is not an mlctl hash cache');
      if (app === APPLICATION_ID && version !== SCHEMA_VERSION)
        return cache.off(`it has schema version ${version}, this mlctl reads ${SCHEMA_VERSION}`);
      if (app === 0) cache.create(db);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    } catch (err) {
      return cache.off((err as Error).message);
    }
    return cache;
  }

  private now: () => number = Date.now;

  private create(db: Database.Database): void {
    db.transaction(() => {
      // Another process may have created it between our check and this write lock.
      if ((db.pragma('application_id', { simple: true }) as number) !== 0) return;
      const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
      if (tables.n > 0) throw new Error('it holds tables of another program');
      db.exec(`CREATE TABLE hashes (
        dev TEXT NOT NULL, ino TEXT NOT NULL, size TEXT NOT NULL, mtime_ns TEXT NOT NULL, ctime_ns TEXT NOT NULL,
        sha256 TEXT NOT NULL, used_at INTEGER NOT NULL, PRIMARY KEY (dev, ino)) WITHOUT ROWID`);
      db.exec('CREATE INDEX hashes_used ON hashes (used_at)');
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  }

  private off(why: string): this {
    this.problem = `hash cache ${this.file} is not usable (${why}); every file is hashed (delete it to start a new one)`;
    try {
      this.db?.close();
    } catch {
      // already unusable
    }
    this.db = undefined;
    return this;
  }

  get(stamp: FileStamp): string | undefined {
    if (!this.db) return undefined;
    const mine = this.pending.get(`${stamp.dev}:${stamp.ino}`);
    if (mine) return sameStamp(mine.stamp, stamp) ? mine.sha256 : undefined;
    let row: Row | undefined;
    try {
      row = this.db
        .prepare('SELECT size, mtime_ns, ctime_ns, sha256 FROM hashes WHERE dev = ? AND ino = ?')
        .get(stamp.dev.toString(), stamp.ino.toString()) as Row | undefined;
    } catch (err) {
      this.off((err as Error).message);
      return undefined;
    }
    // A row is trusted only if every field is exactly what we write: text digits and a hex digest.
    if (
      !row ||
      row.size !== stamp.size.toString() ||
      row.mtime_ns !== stamp.mtimeNs.toString() ||
      row.ctime_ns !== stamp.ctimeNs.toString() ||
      typeof row.sha256 !== 'string' ||
      !HEX64.test(row.sha256)
    )
      return undefined;
    this.hits.set(`${stamp.dev}:${stamp.ino}`, stamp);
    return row.sha256;
  }

  put(stamp: FileStamp, sha256: string): void {
    if (!this.db || !HEX64.test(sha256)) return;
    this.pending.set(`${stamp.dev}:${stamp.ino}`, { stamp, sha256 });
  }

  forget(stamp: Pick<FileStamp, 'dev' | 'ino'>): void {
    const id = `${stamp.dev}:${stamp.ino}`;
    this.pending.delete(id);
    this.hits.delete(id);
    try {
      this.db?.prepare('DELETE FROM hashes WHERE dev = ? AND ino = ?').run(stamp.dev.toString(), stamp.ino.toString());
    } catch (err) {
      this.off((err as Error).message);
    }
  }

  flush(): void {
    const db = this.db;
    if (!db || (this.pending.size === 0 && this.hits.size === 0)) return;
    const at = Math.floor(this.now() / 1000);
    try {
      const put = db.prepare(
        'INSERT OR REPLACE INTO hashes (dev, ino, size, mtime_ns, ctime_ns, sha256, used_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      const touch = db.prepare('UPDATE hashes SET used_at = ? WHERE dev = ? AND ino = ? AND used_at < ?');
      db.transaction(() => {
        for (const { stamp: s, sha256 } of this.pending.values())
          put.run(
            s.dev.toString(),
            s.ino.toString(),
            s.size.toString(),
            s.mtimeNs.toString(),
            s.ctimeNs.toString(),
            sha256,
            at,
          );
        // Refreshed at most once a day per row: a cache hit should not cost a write.
        for (const s of this.hits.values()) touch.run(at, s.dev.toString(), s.ino.toString(), at - 86_400);
      }).immediate();
      if (this.pending.size) this.prune(db);
    } catch (err) {
      this.off((err as Error).message);
    }
    this.pending.clear();
    this.hits.clear();
  }

  private prune(db: Database.Database): void {
    const { n } = db.prepare('SELECT count(*) AS n FROM hashes').get() as { n: number };
    if (n <= MAX_ROWS) return;
    db.prepare('DELETE FROM hashes WHERE (dev, ino) IN (SELECT dev, ino FROM hashes ORDER BY used_at LIMIT ?)').run(
      n - KEEP_ROWS,
    );
  }

  close(): void {
    this.flush();
    try {
      this.db?.close();
    } catch {
      // nothing left to lose: it is a cache
    }
    this.db = undefined;
  }
}
