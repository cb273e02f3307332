import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { redactUrl } from '../util/redact-url.js';
import { registryScheme, type RegistryScheme } from './location.js';

/** One end of a registry transfer: its backend and where it is (file paths absolute). */
export interface TransferEnd {
  scheme: RegistryScheme;
  location: string;
}

/**
 * How a registry moves. `bytes`: a SQLite file copied as it is (file ↔ S3-shared, file → file);
 * `rows`: table by table through copyRegistry, whenever PostgreSQL is one of the ends.
 */
export type TransferRoute = 'bytes' | 'rows';

export interface TransferPlan {
  from: TransferEnd;
  to: TransferEnd;
  route: TransferRoute;
}

/**
 * Decide the route of `registry push/pull` between two resolved registry settings (see
 * resolveRegistry). Refuses to copy a registry onto itself, however it is spelled.
 */
export function planTransfer(from: string, to: string): TransferPlan {
  const a: TransferEnd = { scheme: registryScheme(from), location: from };
  const b: TransferEnd = { scheme: registryScheme(to), location: to };
  for (const e of [a, b])
    // (The bucket's name is checked where the registry is opened.)
    if (e.scheme === 's3' && !/^s3:\/\/[^/]+\/.*[^/]$/i.test(e.location))
      throw new UsageError(
        `${redactUrl(e.location)} is an S3 prefix, not a registry object; name the database object, e.g. s3://bucket/team/registry.db`,
      );
  if (sameRegistry(a, b))
    throw new UsageError(
      `the source and the target are the same registry (${a.scheme === 'postgres' ? 'the same database' : a.location}); name a different target`,
    );
  return { from: a, to: b, route: a.scheme === 'postgres' || b.scheme === 'postgres' ? 'rows' : 'bytes' };
}

function sameRegistry(a: TransferEnd, b: TransferEnd): boolean {
  return a.scheme === b.scheme && identity(a) === identity(b);
}

/** What names one registry: a file's path, an S3 bucket and key, a server's host, port and database (not the user). */
function identity(e: TransferEnd): string {
  if (e.scheme === 'file') {
    // A symbolic link to the registry is the registry.
    try {
      return realpathSync(resolve(e.location));
    } catch {
      return resolve(e.location);
    }
  }
  if (e.scheme === 's3')
    return e.location
      .replace(/^s3:\/\//i, '')
      .split('/')
      .filter((seg) => seg !== '' && seg !== '.')
      .join('/');
  try {
    const u = new URL(e.location);
    return `${u.hostname.toLowerCase()}:${u.port || '5432'}/${decodeURIComponent(u.pathname.replace(/^\//, ''))}`;
  } catch {
    return e.location; // malformed: the adapter names the problem when it opens it
  }
}
