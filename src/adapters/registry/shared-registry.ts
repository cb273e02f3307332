import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DamagedError, NotFoundError, StorageError, UsageError } from '../../core/errors.js';
import { fsFailure } from '../../core/util/fs-errors.js';
import { sha256File } from '../../core/hashing/digest.js';
import { atomicWrite } from '../../core/util/atomic-write.js';
import { SqliteRegistry } from '../sqlite/sqlite-registry.js';
import { isPreconditionFailed, type RemoteHead, type S3Remote, type Uploaded } from './s3-remote.js';
import type { Registry } from '../../ports/registry.js';
import type { Clock } from '../../ports/clock.js';

export interface LockInfo {
  id: string;
  actor: string;
  host: string;
  pid: number;
  command: string;
  created: string;
  expires: string;
}

export interface SharedOptions {
  cacheRoot: string;
  offline: boolean;
  create: boolean;
  /**
   * The remote is gone but this machine remembers it: keep the last copy aside and start a new,
   * empty registry (only when asked explicitly: mlctl init --new-registry).
   */
  replaceLost?: boolean;
  lockTimeoutMs: number;
  lockTtlMs: number;
  clock: Clock;
  /** Who holds the lock; resolved only when writing (it may run git). */
  actor(): Promise<string>;
  command: string;
  /** Notes for stderr (offline age, lock waits and takeovers, recovered faults). */
  note(text: string): void;
}

interface Meta {
  uri: string;
  endpoint: string;
  /** ETag of the remote object the cached file is a copy of; null: the remote did not exist. */
  etag: string | null;
  file: string;
  /** sha256 and size of the cached file as it was put in place: a copy that differs was damaged here. */
  sha256: string;
  size: number;
  /** The sha256 of the last copy that passed SQLite's quick_check (a write checks each copy once). */
  checked: string | null;
  fetchedAt: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Private copies and downloads left by killed processes are removed after this long. */
const STALE_MS = 60 * 60_000;

export function describeLock(l: LockInfo): string {
  return `${l.actor} on ${l.host} (pid ${l.pid}, \`${l.command}\`) since ${l.created}, lock ${l.id}, expires ${l.expires}`;
}

/** The cache folder of one shared registry: the same bucket and key on another endpoint is another registry. */
export function cacheDirOf(cacheRoot: string, remote: Pick<S3Remote, 'endpoint' | 'bucket' | 'key'>): string {
  const id = createHash('sha256').update(`${remote.endpoint}\n${remote.bucket}\n${remote.key}`).digest('hex');
  return join(cacheRoot, id.slice(0, 24));
}

const nameFor = (etag: string) => `db-${createHash('sha256').update(etag).digest('hex').slice(0, 16)}.sqlite`;

/** What a cached copy of a registry is told to do when it is damaged: it is discarded and fetched again. */
const CACHE_RESTORE = 'this cached copy is discarded; run the command again to fetch a fresh one';
const REMOTE_RESTORE =
  'nothing was written. Restore it from a backup: mlctl registry push <backup file> --force (mlctl registry backup makes one)';

function sha256FileSync(path: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return null;
  }
}

/**
 * A SQLite registry that lives in S3 (the locking scheme of Terraform's S3 backend, no server):
 * reads use a local copy checked with one HEAD; a write takes the lock object with If-None-Match,
 * refreshes, checks the copy it builds on (sha256 as fetched, SQLite's quick_check), runs the
 * transaction on a private copy, checks the result, uploads it with If-Match on the ETag it was
 * based on, and removes the lock. Nothing reaches the remote before that one conditional PUT, and
 * a database that fails the check never does.
 */
export class SharedRegistry {
  private current!: SqliteRegistry;
  private meta: Meta | null;
  private inWrite = false;
  private readonly dir: string;

  private constructor(
    private readonly remote: S3Remote,
    private readonly o: SharedOptions,
  ) {
    this.dir = cacheDirOf(o.cacheRoot, remote);
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (err) {
      throw fsFailure(err, '(the shared registry cache; set MLCTL_CACHE_DIR to a writable folder)');
    }
    this.meta = this.readMeta();
  }

  get location(): string {
    return this.remote.uri;
  }

  /** A Registry whose methods go to the current local copy; write() is the shared protocol. */
  static async open(remote: S3Remote, o: SharedOptions): Promise<Registry> {
    const s = new SharedRegistry(remote, o);
    await s.load();
    return new Proxy(s, {
      get(target, prop, receiver) {
        if (prop in target) return Reflect.get(target, prop, receiver);
        const value = (target.current as unknown as Record<string | symbol, unknown>)[prop];
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const r = (value as (...a: unknown[]) => unknown).apply(target.current, args);
          // A damaged cached copy found by a read: forget it, so the next command fetches a fresh one.
          if (r instanceof Promise)
            return r.catch((err: unknown) => {
              throw err instanceof DamagedError && !target.inWrite ? target.damagedOnRead(err) : err;
            });
          return r;
        };
      },
    }) as unknown as Registry;
  }

  private readMeta(): Meta | null {
    try {
      const m = JSON.parse(readFileSync(join(this.dir, 'meta.json'), 'utf8')) as Meta;
      return m.uri === this.remote.uri && typeof m.sha256 === 'string' && existsSync(join(this.dir, m.file)) ? m : null;
    } catch {
      return null;
    }
  }

  private writeMeta(m: Meta): void {
    const previous = this.meta?.file;
    atomicWrite(join(this.dir, 'meta.json'), JSON.stringify(m));
    this.meta = m;
    this.tidy(previous);
  }

  /**
   * Keep the current copy and the one before it (a reader may be opening it right now); remove
   * older copies at once, and private copies and downloads of killed processes after an hour.
   * Copies of a registry that disappeared (lost-*) are kept: they may be the only one left.
   */
  private tidy(previous: string | undefined): void {
    const now = Date.now();
    for (const f of readdirSync(this.dir)) {
      const path = join(this.dir, f);
      try {
        if (f.startsWith('db-') && !f.includes('.tmp-')) {
          if (f !== this.meta?.file && f !== previous) rmSync(path, { force: true });
        } else if (f.startsWith('private-') || f.includes('.tmp-')) {
          if (now - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true });
        }
      } catch {
        // gone already
      }
    }
  }

  /**
   * A read met damage in the cached copy. If the copy is still the bytes fetched, the shared
   * registry itself is damaged (fetching again would not help); otherwise it was damaged here and
   * is dropped, so that the next command fetches a fresh one.
   */
  private damagedOnRead(err: DamagedError): DamagedError {
    const m = this.meta;
    if (m && sha256FileSync(join(this.dir, m.file)) === m.sha256) {
      const cause = err.cause as { message?: string; code?: string } | undefined;
      return new DamagedError(
        `the shared registry ${this.remote.uri} is damaged (SQLite: ${cause?.message ?? err.message}${cause?.code ? `, ${cause.code}` : ''}); ${REMOTE_RESTORE}`,
        { cause: err },
      );
    }
    this.forgetCopy();
    return err;
  }

  /** Drop a damaged copy: the next refresh downloads the remote again. */
  private forgetCopy(): void {
    rmSync(join(this.dir, 'meta.json'), { force: true });
    if (this.meta) rmSync(join(this.dir, this.meta.file), { force: true });
    this.meta = null;
  }

  private openCopy(file: string, create = false): SqliteRegistry {
    return SqliteRegistry.open(join(this.dir, file), {
      create,
      journal: 'delete',
      location: this.remote.uri,
      restore: CACHE_RESTORE,
      checkBeforeWrite: false,
    });
  }

  /** Put a fresh copy in place: opened once (migrated to this mlctl's schema), then hashed as it stays. */
  private async adopt(tmp: string, etag: string | null): Promise<void> {
    const file = etag === null ? `db-new-${randomBytes(4).toString('hex')}.sqlite` : nameFor(etag);
    SqliteRegistry.open(tmp, {
      create: etag === null,
      journal: 'delete',
      location: this.remote.uri,
      restore: CACHE_RESTORE,
      checkBeforeWrite: false,
    }).closeSync();
    const { sha256, size } = await sha256File(tmp);
    renameSync(tmp, join(this.dir, file));
    this.writeMeta({
      uri: this.remote.uri,
      endpoint: this.remote.endpoint,
      etag,
      file,
      sha256,
      size,
      checked: etag === null ? sha256 : null,
      fetchedAt: this.o.clock.now().toISOString(),
    });
  }

  private tmpPath(): string {
    return join(this.dir, `db.tmp-${randomBytes(6).toString('hex')}`);
  }

  /** The remote is gone although this machine has seen it: keep its last copy where tidying never removes it. */
  private keepLostCopy(m: Meta): string {
    const lost = join(this.dir, `lost-${m.file.replace(/^db-/, '')}`);
    if (!existsSync(lost)) copyFileSync(join(this.dir, m.file), lost);
    return lost;
  }

  /** Make the cached copy match the remote as of `head` (download only when the ETag differs, or when forced). */
  private async refresh(head: RemoteHead | null, force = false): Promise<void> {
    if (head === null) {
      if (this.meta?.etag) {
        const lost = this.keepLostCopy(this.meta);
        if (!this.o.replaceLost)
          throw new StorageError(
            `the shared registry ${this.remote.uri} at ${this.remote.endpoint} has disappeared (this machine last saw it at ETag ${this.meta.etag}, fetched ${this.meta.fetchedAt}); its last copy is ${lost}: restore it with mlctl registry push ${lost}, or start a new, empty registry with mlctl init --yes --new-registry`,
          );
        this.o.note(`the shared registry ${this.remote.uri} had disappeared; its last copy is kept at ${lost}`);
        this.forgetCopy();
      }
      if (!this.o.create)
        throw new NotFoundError(
          `the shared registry ${this.remote.uri} does not exist yet; any write command (e.g. mlctl register) creates it, or mlctl registry push uploads a local one`,
        );
      if (!this.meta) await this.adopt(this.tmpPath(), null);
      return;
    }
    if (!force && this.meta?.etag === head.etag && this.copyLooksWhole()) return;
    const tmp = this.tmpPath();
    try {
      const got = await this.remote.download(tmp);
      if (!got) throw new StorageError(`the shared registry ${this.remote.uri} disappeared while downloading; retry`);
      // The name carries the ETag it was downloaded at, so the file and its ETag cannot disagree.
      await this.adopt(tmp, got.etag);
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  /** A cheap look at the cached copy on every read: still there, still its size. */
  private copyLooksWhole(): boolean {
    if (!this.meta) return false;
    try {
      return statSync(join(this.dir, this.meta.file)).size === this.meta.size;
    } catch {
      return false;
    }
  }

  /**
   * Before a write: the cached copy must be the bytes that were fetched (sha256) and pass SQLite's
   * quick_check (once per copy). A copy damaged here is discarded and fetched again; a fresh copy
   * that still fails means the shared registry itself is damaged, and nothing is written.
   */
  private async ensureIntact(): Promise<void> {
    for (let pass = 1; pass <= 2; pass++) {
      const m = this.meta!;
      const path = join(this.dir, m.file);
      const { sha256 } = await sha256File(path);
      let problem: string | null = null;
      if (sha256 !== m.sha256)
        problem = `changed since it was fetched (sha256 ${m.sha256.slice(0, 12)}… → ${sha256.slice(0, 12)}…)`;
      else if (m.checked !== sha256) {
        const report = await this.current.checkIntegrity({ full: false });
        if (report.ok) this.writeMeta({ ...m, checked: sha256 });
        else problem = `fails SQLite's quick_check (${report.problems[0]})`;
      }
      if (!problem) return;
      if (m.etag === null || pass === 2)
        throw new DamagedError(
          `the shared registry ${this.remote.uri} is damaged: a freshly fetched copy (ETag ${m.etag ?? 'none'}) ${problem}; ${REMOTE_RESTORE}`,
        );
      this.o.note(`the cached copy of ${this.remote.uri} ${problem}; discarded it and fetched it again`);
      this.current.closeSync();
      this.forgetCopy();
      const head = await this.remote.head();
      if (!head)
        throw new StorageError(`the shared registry ${this.remote.uri} disappeared while this command held its lock`);
      await this.refresh(head, true);
      this.current = this.openCopy(this.meta!.file);
    }
  }

  private async load(): Promise<void> {
    if (this.o.offline) {
      if (!this.meta)
        throw new UsageError(
          `--offline: there is no cached copy of ${this.remote.uri} on this machine; run once online`,
        );
      const age = this.o.clock.now().getTime() - Date.parse(this.meta.fetchedAt);
      this.o.note(
        `offline: using the copy of ${this.remote.uri} fetched at ${this.meta.fetchedAt} (${Math.round(age / 60_000)} min old)`,
      );
    } else {
      await this.refresh(await this.remote.head());
    }
    try {
      this.current = this.openCopy(this.meta!.file);
    } catch (err) {
      // Another process replaced and tidied the copy between our look at meta.json and the open.
      if (this.o.offline || !(err instanceof UsageError)) throw err;
      this.meta = this.readMeta();
      await this.refresh(await this.remote.head());
      this.current = this.openCopy(this.meta!.file);
    }
  }

  private lockKey(): string {
    return `${this.remote.key}.lock`;
  }

  /** Take the lock object; wait with backoff while someone else holds it; take over an expired one. */
  private async lock(): Promise<{ id: string; etag: string }> {
    const deadline = Date.now() + this.o.lockTimeoutMs;
    let wait = 100;
    let told = false;
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const now = this.o.clock.now();
      const info: LockInfo = {
        id: randomUUID(),
        actor: await this.o.actor(),
        host: hostname(),
        pid: process.pid,
        command: this.o.command,
        created: now.toISOString(),
        expires: new Date(now.getTime() + this.o.lockTtlMs).toISOString(),
      };
      try {
        return {
          id: info.id,
          etag: await this.remote.putSmall(this.lockKey(), JSON.stringify(info), { ifNoneMatch: true }),
        };
      } catch (err) {
        if (!isPreconditionFailed(err)) throw err;
      }
      const held = await this.remote.getSmall(this.lockKey());
      if (!held) continue; // released meanwhile
      // Our own create whose answer was lost: the client sent it again and met our lock.
      if (held.body.includes(info.id)) return { id: info.id, etag: held.etag };
      let holder: LockInfo;
      try {
        holder = JSON.parse(held.body) as LockInfo;
      } catch {
        holder = {
          id: '?',
          actor: 'unknown',
          host: 'unknown',
          pid: 0,
          command: 'unknown',
          created: 'unknown',
          expires: '1970-01-01T00:00:00Z',
        };
      }
      if (Date.parse(holder.expires) <= now.getTime()) {
        try {
          // Replace exactly the expired lock we read: if two take over at once, one wins.
          const etag = await this.remote.putSmall(this.lockKey(), JSON.stringify(info), { ifMatch: held.etag });
          this.o.note(`took over the expired registry lock of ${describeLock(holder)}`);
          return { id: info.id, etag };
        } catch (err) {
          if (!isPreconditionFailed(err)) throw err;
          continue;
        }
      }
      if (Date.now() >= deadline) {
        throw new StorageError(
          `the shared registry ${this.remote.uri} is locked by ${describeLock(holder)}; wait and retry (--lock-timeout), or if that process is gone: mlctl registry unlock ${holder.id}`,
        );
      }
      if (!told) {
        this.o.note(`waiting for the registry lock held by ${describeLock(holder)}…`);
        told = true;
      }
      await sleep(Math.min(wait, Math.max(0, deadline - Date.now())) + Math.random() * 50);
      wait = Math.min(wait * 2, 2_000);
    }
    throw new StorageError(`could not take the lock of ${this.remote.uri}; retry`);
  }

  async write<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.inWrite) return fn();
    if (this.o.offline)
      throw new UsageError(
        `--offline: ${this.remote.uri} cannot be changed without reaching S3; run the command online`,
      );
    const lock = await this.lock();
    let priv: string | null = null;
    this.inWrite = true;
    try {
      await this.refresh(await this.remote.head());
      this.current.closeSync();
      this.current = this.openCopy(this.meta!.file);
      await this.ensureIntact();
      const basedOn = this.meta!.etag;
      priv = join(this.dir, `private-${randomBytes(6).toString('hex')}.sqlite`);
      try {
        copyFileSync(join(this.dir, this.meta!.file), priv);
      } catch (err) {
        throw fsFailure(err, `(a private copy of ${this.remote.uri})`);
      }
      this.current.closeSync();
      this.current = SqliteRegistry.open(priv, {
        journal: 'delete',
        location: this.remote.uri,
        restore: CACHE_RESTORE,
        checkBeforeWrite: false,
      });
      const result = await this.current.write(fn);
      // The database about to replace everyone's registry must pass SQLite's own check.
      const report = await this.current.checkIntegrity({ full: false });
      this.current.closeSync();
      if (!report.ok)
        throw new DamagedError(
          `the registry this command produced fails SQLite's quick_check (${report.problems[0]}); it was not uploaded, ${this.remote.uri} is unchanged — run mlctl doctor and report this`,
        );
      let up: Uploaded;
      try {
        up = await this.remote.upload(priv, basedOn);
      } catch (err) {
        if (!isPreconditionFailed(err)) throw err;
        throw new StorageError(
          `the shared registry ${this.remote.uri} changed while this command held its lock (the lock expired and was taken over?); nothing was written — run the command again`,
          { cause: err },
        );
      }
      if (up.recovered) this.o.note(up.recovered);
      const file = nameFor(up.etag);
      const size = statSync(priv).size;
      renameSync(priv, join(this.dir, file));
      priv = null;
      this.writeMeta({
        uri: this.remote.uri,
        endpoint: this.remote.endpoint,
        etag: up.etag,
        file,
        sha256: up.sha256,
        size,
        checked: up.sha256,
        fetchedAt: this.o.clock.now().toISOString(),
      });
      return result;
    } finally {
      this.inWrite = false;
      if (priv) rmSync(priv, { force: true });
      try {
        this.current.closeSync();
      } catch {
        // already closed
      }
      if (this.meta) this.current = this.openCopy(this.meta.file);
      try {
        await this.remote.delete(this.lockKey(), lock.etag);
      } catch (err) {
        // Someone took our (expired) lock over: it is theirs now, leave it.
        if (!isPreconditionFailed(err))
          this.o.note(
            `could not remove the registry lock ${lock.id}: ${(err as Error).message}; mlctl registry unlock ${lock.id}`,
          );
      }
    }
  }

  async close(): Promise<void> {
    this.current?.closeSync();
  }
}

/** The lock, for `mlctl registry status` and `unlock`. */
export async function readLock(remote: S3Remote): Promise<{ info: LockInfo | null; etag: string } | null> {
  const held = await remote.getSmall(`${remote.key}.lock`);
  if (!held) return null;
  try {
    return { info: JSON.parse(held.body) as LockInfo, etag: held.etag };
  } catch {
    return { info: null, etag: held.etag };
  }
}
