import { existsSync } from 'node:fs';
import { DamagedError, StorageError, UsageError } from '../errors.js';
import type { IntegrityReport, Registry } from '../../ports/registry.js';

export type IntegrityOutcome = IntegrityReport | { ok: true; skipped: string; location: string };

/**
 * SQLite's own check of the registry's stored database: quick_check, or integrity_check with
 * `full`. For doctor and audit verify: a damaged file is a finding, never an exception — also when
 * the damage is where SQLite keeps the schema, so that the registry cannot even be opened.
 */
export async function checkRegistryIntegrity(
  open: () => Promise<Registry>,
  opts: { full?: boolean; location: string },
): Promise<IntegrityOutcome> {
  const check = opts.full ? 'integrity_check' : 'quick_check';
  let registry: Registry;
  try {
    registry = await open();
  } catch (err) {
    if (err instanceof DamagedError) {
      const cause = err.cause as { message?: string; code?: string } | undefined;
      const what = cause?.code ? `${cause.message} (${cause.code})` : err.message;
      return { ok: false, check, location: opts.location, problems: [`it cannot even be opened: ${what}`] };
    }
    throw err;
  }
  if (!registry.checkIntegrity)
    return { ok: true, skipped: 'this registry backend has no integrity check', location: registry.location };
  return registry.checkIntegrity({ full: opts.full });
}

/** One line about an integrity outcome, for doctor's table and audit verify's report. */
export function describeIntegrity(r: IntegrityOutcome): string {
  if ('skipped' in r) return `${r.location}: not checked (${r.skipped})`;
  if (r.ok) return `${r.location}: SQLite ${r.check} ok`;
  const more = r.problems.length > 1 ? ` (and ${r.problems.length - 1} more)` : '';
  return `${r.location}: SQLite ${r.check} found damage: ${r.problems[0]}${more}`;
}

/** Where to go from a damaged registry. */
export function restoreAdvice(location: string): string {
  return location.startsWith('s3://')
    ? 'restore it from a backup: mlctl registry push <backup file> --force (mlctl registry backup makes one)'
    : `keep ${location} aside and restore it from a backup (mlctl registry backup makes one) or from a shared copy (mlctl registry pull ${location} --from s3://… --force)`;
}

/** A consistent copy of the registry in `dest`, made while others may read and write it (SQLite's online backup). */
export async function backupRegistry(
  registry: Registry,
  dest: string,
  opts: { force?: boolean } = {},
): Promise<{ location: string; dest: string; bytes: number }> {
  if (!registry.backupTo)
    throw new UsageError(`the registry ${registry.location} cannot be backed up by mlctl; use the backend's own tools`);
  if (existsSync(dest) && !opts.force) throw new UsageError(`${dest} exists; pass --force to replace it`);
  const { bytes } = await registry.backupTo(dest);
  if (bytes === 0) throw new StorageError(`the backup of ${registry.location} to ${dest} is empty`);
  return { location: registry.location, dest, bytes };
}
