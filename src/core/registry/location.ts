import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';

/**
 * The registry backends, by the scheme of the `registry` setting: the one place that knows them.
 * A new backend adds its scheme here (and its opener in src/adapters/registry/open-registry.ts;
 * TypeScript makes sure both are there). A setting without a scheme is a local file path.
 */
export const REGISTRY_SCHEMES = {
  file: 'a local SQLite file (a path, or file:///abs/path)',
  s3: 'a SQLite registry shared on S3 (s3://bucket/key)',
  postgres: 'a PostgreSQL database (postgres://user@host:5432/dbname, or postgresql://)',
} as const;

export type RegistryScheme = keyof typeof REGISTRY_SCHEMES;

/** Other spellings of a scheme. */
const ALIASES: Record<string, RegistryScheme> = { postgresql: 'postgres' };

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Which backend a `registry` setting names; an unknown scheme is a usage error listing the
 * supported ones. A PostgreSQL URL carrying a password is refused here, before anything can print
 * or store it. `where` names the setting in messages (--registry, MLCTL_REGISTRY, mlctl.yaml).
 */
export function registryScheme(setting: string, where = 'registry'): RegistryScheme {
  const m = SCHEME.exec(setting);
  if (!m) return 'file';
  const raw = m[1]!.toLowerCase();
  const scheme = ALIASES[raw] ?? raw;
  if (!(scheme in REGISTRY_SCHEMES)) {
    const supported = Object.values(REGISTRY_SCHEMES).join('; ');
    throw new UsageError(
      `${where} ${JSON.stringify(setting.replace(/\/\/[^/@]*@/, '//…@'))}: unsupported scheme "${raw}://"; supported: ${supported}`,
    );
  }
  if (scheme === 'postgres') refusePassword(setting, where);
  return scheme as RegistryScheme;
}

function refusePassword(url: string, where: string): void {
  const m = /^[a-z]+:\/\/([^/@?#]*)@/i.exec(url);
  if (m && m[1]!.includes(':'))
    throw new UsageError(
      `${where}: the PostgreSQL URL contains a password; remove it and put the password in PGPASSWORD or ~/.pgpass (mlctl never stores credentials)`,
    );
}

/** A file setting as a path (file:// URLs decoded); other schemes are returned as they are. */
export function registryFilePath(setting: string): string {
  return setting.toLowerCase().startsWith('file://') ? fileURLToPath(setting) : setting;
}

/** The setting as the adapters want it: URLs unchanged, file paths absolute (relative to the project root). */
export function resolveRegistry(setting: string, root: string, where = 'registry'): string {
  if (registryScheme(setting, where) !== 'file') return setting;
  const path = registryFilePath(setting);
  const abs = isAbsolute(path) ? path : join(root, path);
  if (statSync(abs, { throwIfNoEntry: false })?.isDirectory())
    throw new UsageError(
      `${where}: ${abs} is a folder, not a registry file; point it at a file, e.g. ${join(path, 'registry.db')}`,
    );
  return abs;
}
