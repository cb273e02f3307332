import { AuthError, MlctlError, StorageError } from '../errors.js';

/** What a file-system error code means, in words a user can act on. */
const MEANING: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'an input/output error from the disk',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files on this machine',
  ENAMETOOLONG: 'the path is too long',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EEXIST: 'it already exists',
  ENOENT: 'a folder on the way does not exist',
  EFBIG: 'the file is too large for this file system',
};
const ADVICE: Record<string, string> = {
  ENOSPC: 'free some space (or point mlctl at another disk) and run the command again',
  EDQUOT: 'free some space within the quota and run the command again',
  EROFS: 'use a writable location, or run only read commands here',
  EACCES: 'fix the permissions, or use a location this user may write',
  EPERM: 'fix the permissions, or use a location this user may write',
};

interface SysError {
  code?: string;
  syscall?: string;
  path?: string;
  dest?: string;
}

/** "the file system is read-only (EROFS)" */
export function fsMeaning(err: unknown): string {
  const code = (err as SysError).code ?? 'EIO';
  return `${MEANING[code] ?? 'an error'} (${code})`;
}

/** A Node error from the file system (it has an errno code and usually a path or syscall). */
export function isFsError(err: unknown): err is NodeJS.ErrnoException {
  const e = err as SysError | undefined;
  return !!e && typeof e.code === 'string' && e.code in MEANING && (e.path !== undefined || e.syscall !== undefined);
}

/** "cannot write /x/y: no space left on the device (ENOSPC); free some space…" */
export function describeFsError(err: unknown, context = ''): string {
  const e = err as SysError;
  const code = e.code ?? 'EIO';
  const verb =
    e.syscall === 'mkdir'
      ? 'cannot create the folder'
      : e.syscall === 'open' || e.syscall === 'write' || e.syscall === 'rename' || e.syscall === 'copyfile'
        ? 'cannot write'
        : e.syscall === 'read' || e.syscall === 'scandir' || e.syscall === 'stat'
          ? 'cannot read'
          : `cannot ${e.syscall ?? 'use'}`;
  const where = e.path ? ` ${e.path}` : '';
  const advice = ADVICE[code] ? `; ${ADVICE[code]}` : '';
  return `${verb}${where}${context ? ` ${context}` : ''}: ${MEANING[code] ?? code} (${code})${advice}`;
}

/** The typed error for a file-system failure: permission problems exit 4, the rest 3. */
export function fsFailure(err: unknown, context = ''): MlctlError {
  if (err instanceof MlctlError) return err;
  const code = (err as SysError).code;
  const message = describeFsError(err, context);
  return code === 'EACCES' || code === 'EPERM'
    ? new AuthError(message, { cause: err })
    : new StorageError(message, { cause: err });
}
