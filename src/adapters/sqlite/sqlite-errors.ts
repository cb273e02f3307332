import Database from 'better-sqlite3';
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { AuthError, DamagedError, MlctlError, StorageError } from '../../core/errors.js';

/** How to get a good copy back, worded for where the database lives (a local file or a cached copy). */
export type RestoreHint = string;

export function localRestoreHint(file: string): RestoreHint {
  return `keep the damaged file aside and restore ${file} from a backup (made with mlctl registry backup) or from a shared copy (mlctl registry pull ${file} --from s3://… --force); mlctl audit verify --full lists the damage`;
}

export const isSqliteError = (err: unknown): err is Error & { code: string } => err instanceof Database.SqliteError;

const code = (err: unknown) => (isSqliteError(err) ? err.code : '');

/** The database file itself is damaged or is not a database: nothing SQLite says about it can be trusted. */
export const isDamage = (err: unknown) => /^SQLITE_(CORRUPT|NOTADB)/.test(code(err));

function freeBytes(file: string): number | undefined {
  try {
    const s = statfsSync(dirname(file));
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/**
 * Say what really happened to the database at `location` (`file` is where its bytes are), from
 * SQLite's result code: damage, a full disk, a read-only file or folder, a lock. Anything else
 * names the file and SQLite's own words. Never "unexpected error".
 */
export function sqliteFailure(
  err: unknown,
  o: { location: string; file: string; restore: RestoreHint; during?: string },
): MlctlError {
  if (err instanceof MlctlError) return err;
  if (!isSqliteError(err)) return err as MlctlError;
  const c = err.code;
  const during = o.during ? ` during ${o.during}` : '';
  const where = o.location === o.file ? o.location : `${o.location} (cached at ${o.file})`;
  if (/^SQLITE_NOTADB/.test(c))
    return new DamagedError(
      `registry ${where} is not an SQLite database, or its first page is damaged (${c}); ${o.restore}`,
      { cause: err },
    );
  if (/^SQLITE_CORRUPT/.test(c))
    return new DamagedError(`registry ${where} is damaged (SQLite: ${err.message}, ${c}); ${o.restore}`, {
      cause: err,
    });
  if (c === 'SQLITE_FULL')
    return new StorageError(
      `no space left on the disk holding ${o.file}${during} (SQLITE_FULL); the transaction was rolled back and nothing was written; free some space and run the command again`,
      { cause: err },
    );
  if (/^SQLITE_IOERR/.test(c)) {
    const free = freeBytes(o.file);
    if (free !== undefined && free < 1024 * 1024)
      return new StorageError(
        `no space left on the disk holding ${o.file}${during} (${c}, ${free} bytes free); nothing was written; free some space and run the command again`,
        { cause: err },
      );
    return new StorageError(
      `the disk holding ${o.file} failed a read or write${during} (${c}); nothing was written; check the disk, then run mlctl doctor`,
      { cause: err },
    );
  }
  if (/^SQLITE_READONLY/.test(c) || c === 'SQLITE_PERM' || c === 'SQLITE_AUTH')
    return new AuthError(
      `registry ${where} cannot be written by this user (${c}); read commands work, writes need write access to ${o.file} and its folder`,
      { cause: err },
    );
  if (/^SQLITE_(BUSY|LOCKED)/.test(c))
    return new StorageError(`registry ${where} is locked by another process (${c}); retry`, { cause: err });
  if (/^SQLITE_CANTOPEN/.test(c))
    return new StorageError(
      `cannot open registry ${o.file} (${c}); check that it and its folder exist and can be read`,
      { cause: err },
    );
  return new StorageError(`registry ${where}: SQLite failed${during} (${c}: ${err.message})`, { cause: err });
}
