import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { NotFoundError, StorageError, UsageError } from '../../core/errors.js';
import { atomicWrite } from '../../core/util/atomic-write.js';
import { SqliteRegistry } from '../sqlite/sqlite-registry.js';
import { isPreconditionFailed, type S3Remote } from './s3-remote.js';
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
  lockTimeoutMs: number;
  lockTtlMs: number;
  clock: Clock;
  /** Who holds the lock; resolved only when writing (it may run git). */
  actor(): Promise<string>;
  command: string;
  /** Notes for stderr (offline age, lock waits and takeovers). */
  note(text: string): void;
}

interface Meta {
  uri: string;
  /** ETag of the remote object the cached file is a copy of; null: the remote did not exist. */
  etag: string | null;
  file: string;
  fetchedAt: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function describeLock(l: LockInfo): string {
  return `${l.actor} on ${l.host} (pid ${l.pid}, \`${l.command}\`) since ${l.created}, lock ${l.id}, expires ${l.expires}`;
}

/**
 * A SQLite registry that lives in S3 (the locking scheme of Terraform's S3 backend, no server):
 * reads use a local copy checked with one HEAD; a write takes the lock object with If-None-Match,
 * refreshes, runs the transaction on a private copy, uploads it with If-Match on the ETag it was
 * based on, and removes the lock. Nothing reaches the remote before that one conditional PUT.
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
    this.dir = join(o.cacheRoot, createHash('sha256').update(remote.uri).digest('hex').slice(0, 24));
    mkdirSync(this.dir, { recursive: true });
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
        return typeof value === 'function' ? value.bind(target.current) : value;
      },
    }) as unknown as Registry;
  }

  private readMeta(): Meta | null {
    try {
      const m = JSON.parse(readFileSync(join(this.dir, 'meta.json'), 'utf8')) as Meta;
      return m.uri === this.remote.uri && existsSync(join(this.dir, m.file)) ? m : null;
    } catch {
      return null;
    }
  }

  private writeMeta(m: Meta): void {
    atomicWrite(join(this.dir, 'meta.json'), JSON.stringify(m));
    this.meta = m;
    // Older copies are left for readers that may still have them open; tidy those over a minute old.
    for (const f of readdirSync(this.dir)) {
      if (!f.startsWith('db-') || f === m.file) continue;
      try {
        if (Date.now() - statSync(join(this.dir, f)).mtimeMs > 60_000) rmSync(join(this.dir, f), { force: true });
      } catch {
        // gone already
      }
    }
  }

  private openCopy(file: string, create = false): SqliteRegistry {
    return SqliteRegistry.open(join(this.dir, file), { create, journal: 'delete', location: this.remote.uri });
  }

  /** Make the cached copy match the remote as of `head` (download only when the ETag differs). */
  private async refresh(head: { etag: string } | null): Promise<void> {
    if (head === null) {
      if (this.meta?.etag)
        throw new StorageError(
          `the shared registry ${this.remote.uri} has disappeared (it was at ETag ${this.meta.etag}); restore it, or push a local copy with mlctl registry push --force`,
        );
      if (!this.o.create)
        throw new NotFoundError(
          `the shared registry ${this.remote.uri} does not exist yet; any write command (e.g. mlctl register) creates it, or mlctl registry push uploads a local one`,
        );
      if (!this.meta) {
        const file = `db-new-${randomBytes(4).toString('hex')}.sqlite`;
        this.openCopy(file, true).closeSync();
        this.writeMeta({ uri: this.remote.uri, etag: null, file, fetchedAt: this.o.clock.now().toISOString() });
      }
      return;
    }
    if (this.meta?.etag === head.etag) return;
    const file = `db-${createHash('sha256').update(head.etag).digest('hex').slice(0, 16)}.sqlite`;
    const tmp = join(this.dir, `${file}.tmp-${randomBytes(6).toString('hex')}`);
    try {
      const got = await this.remote.download(tmp);
      if (!got) throw new StorageError(`the shared registry ${this.remote.uri} disappeared while downloading; retry`);
      // The name carries the ETag it was downloaded at, so the file and its ETag cannot disagree.
      const named = `db-${createHash('sha256').update(got.etag).digest('hex').slice(0, 16)}.sqlite`;
      renameSync(tmp, join(this.dir, named));
      this.writeMeta({
        uri: this.remote.uri,
        etag: got.etag,
        file: named,
        fetchedAt: this.o.clock.now().toISOString(),
      });
    } finally {
      rmSync(tmp, { force: true });
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
    this.current = this.openCopy(this.meta!.file);
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
      const basedOn = this.meta!.etag;
      priv = join(this.dir, `private-${randomBytes(6).toString('hex')}.sqlite`);
      copyFileSync(join(this.dir, this.meta!.file), priv);
      this.current.closeSync();
      this.current = SqliteRegistry.open(priv, { journal: 'delete', location: this.remote.uri });
      const result = await this.current.write(fn);
      this.current.closeSync();
      let etag: string;
      try {
        etag = await this.remote.upload(priv, basedOn);
      } catch (err) {
        if (!isPreconditionFailed(err)) throw err;
        throw new StorageError(
          `the shared registry ${this.remote.uri} changed while this command held its lock (the lock expired and was taken over?); nothing was written — run the command again`,
          { cause: err },
        );
      }
      const file = `db-${createHash('sha256').update(etag).digest('hex').slice(0, 16)}.sqlite`;
      renameSync(priv, join(this.dir, file));
      priv = null;
      this.writeMeta({ uri: this.remote.uri, etag, file, fetchedAt: this.o.clock.now().toISOString() });
      return result;
    } finally {
      this.inWrite = false;
      if (priv) rmSync(priv, { force: true });
      try {
        this.current.closeSync();
      } catch {
        // already closed
      }
      this.current = this.openCopy(this.meta!.file);
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
