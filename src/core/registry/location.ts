import { isAbsolute, join } from 'node:path';
import { UsageError } from '../errors.js';

/** Where the registry lives, decided from the `registry` setting in one place. */
export type RegistryKind = 'sqlite' | 's3' | 'postgres';

export const REGISTRY_SCHEMES = 'a file path, s3://bucket/key or postgres://user@host:5432/dbname';

/**
 * `s3://…` is the shared SQLite file on S3, `postgres://`/`postgresql://` a PostgreSQL database,
 * anything without a scheme a local SQLite file. Any other scheme is refused rather than taken for
 * a file name. A PostgreSQL URL with a password is refused here, before anything can print it.
 */
export function registryKind(setting: string, where = 'registry'): RegistryKind {
  if (/^s3:\/\//i.test(setting)) return 's3';
  if (/^postgres(ql)?:\/\//i.test(setting)) {
    refusePassword(setting, where);
    return 'postgres';
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(setting);
  if (scheme)
    throw new UsageError(
      `${where}: unsupported registry URL scheme ${JSON.stringify(`${scheme[1]}://`)}; use ${REGISTRY_SCHEMES}`,
    );
  return 'sqlite';
}

function refusePassword(url: string, where: string): void {
  const m = /^[a-z]+:\/\/([^/@?#]*)@/i.exec(url);
  if (m && m[1]!.includes(':'))
    throw new UsageError(
      `${where}: the PostgreSQL URL contains a password; remove it and put the password in PGPASSWORD or ~/.pgpass (mlctl never stores credentials)`,
    );
}

/** The setting as the adapters want it: URLs unchanged, file paths relative to the project root. */
export function resolveRegistry(setting: string, root: string, where = 'registry'): string {
  return registryKind(setting, where) === 'sqlite' && !isAbsolute(setting) ? join(root, setting) : setting;
}
