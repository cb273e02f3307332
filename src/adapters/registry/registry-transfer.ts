import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DamagedError, StorageError, UsageError } from '../../core/errors.js';
import { SqliteRegistry } from '../sqlite/sqlite-registry.js';
import { isPreconditionFailed, type S3Remote } from './s3-remote.js';
import { describeLock, readLock, type LockInfo } from './shared-registry.js';

export interface SharedStatus {
  uri: string;
  remote: { etag: string; size: number } | null;
  lock: (LockInfo & { expired: boolean }) | null;
}

export async function sharedStatus(remote: S3Remote, now: Date): Promise<SharedStatus> {
  const [head, lock] = await Promise.all([remote.head(), readLock(remote)]);
  const info = lock?.info ?? null;
  return {
    uri: remote.uri,
    remote: head,
    lock: info ? { ...info, expired: Date.parse(info.expires) <= now.getTime() } : null,
  };
}

/** Remove a stale lock by its id (never someone else's newer lock). */
export async function unlockShared(remote: S3Remote, id: string): Promise<LockInfo> {
  const lock = await readLock(remote);
  if (!lock) throw new UsageError(`${remote.uri} is not locked`);
  if (!lock.info || lock.info.id !== id)
    throw new UsageError(
      `the lock of ${remote.uri} is ${lock.info ? describeLock(lock.info) : 'unreadable'}, not ${id}; check mlctl registry status`,
    );
  try {
    await remote.delete(`${remote.key}.lock`, lock.etag);
  } catch (err) {
    if (isPreconditionFailed(err))
      throw new StorageError(`the lock of ${remote.uri} changed while removing it; check mlctl registry status`);
    throw err;
  }
  return lock.info;
}

/** Open a registry file only to check it with SQLite's quick_check; throws naming what failed. */
export async function mustPassCheck(file: string, what: string, action: string): Promise<void> {
  const reg = SqliteRegistry.open(file, { journal: 'delete', checkBeforeWrite: false, location: what });
  try {
    const report = await reg.checkIntegrity({ full: false });
    if (!report.ok) throw new DamagedError(`${what} fails SQLite's quick_check (${report.problems[0]}); ${action}`);
  } finally {
    reg.closeSync();
  }
}

/** Upload a local registry as the shared one (a consistent snapshot, never a live WAL file, never a damaged one). */
export async function pushRegistry(
  remote: S3Remote,
  local: string,
  force: boolean,
): Promise<{ etag: string; replaced: boolean; recovered?: string }> {
  const lock = await readLock(remote);
  if (lock)
    throw new StorageError(
      `${remote.uri} is locked by ${lock.info ? describeLock(lock.info) : 'someone'}; wait, or mlctl registry unlock <id> if it is stale`,
    );
  const head = await remote.head();
  if (head && !force)
    throw new UsageError(`${remote.uri} already exists (${head.size} bytes); pass --force to replace it with ${local}`);
  const snap = join(dirname(local), `.push-${randomBytes(6).toString('hex')}.db`);
  try {
    const reg = SqliteRegistry.open(local);
    try {
      reg.snapshotTo(snap);
    } finally {
      reg.closeSync();
    }
    await mustPassCheck(snap, local, `nothing was pushed, ${remote.uri} is unchanged`);
    try {
      const up = await remote.upload(snap, head?.etag ?? null);
      return { etag: up.etag, replaced: !!head, ...(up.recovered ? { recovered: up.recovered } : {}) };
    } catch (err) {
      if (isPreconditionFailed(err))
        throw new StorageError(`${remote.uri} changed while pushing; nothing was replaced — run again`);
      throw err;
    }
  } finally {
    for (const f of [snap, `${snap}-journal`]) rmSync(f, { force: true });
  }
}
