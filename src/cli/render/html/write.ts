import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StorageError, UsageError } from '../../../core/errors.js';
import { atomicWrite } from '../../../core/util/atomic-write.js';
import type { Deps } from '../../deps.js';

export interface WrittenReport {
  file: string;
  bytes: number;
}

/** Where a page would go, refused before any work when it cannot be written there. */
export function checkHtmlTarget(deps: Deps, file: string): string {
  const path = resolve(deps.cwd, file);
  if (file === '-') return path;
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`cannot write ${file}: folder ${dir} does not exist; create it or choose another path`);
  if (existsSync(path) && statSync(path).isDirectory())
    throw new UsageError(
      `cannot write ${file}: it is a folder; name a file such as ${file.replace(/\/$/, '')}/report.html`,
    );
  return path;
}

/**
 * Write a page atomically (temp file + rename: a reader never sees half a report), or to stdout
 * with `-`. A missing folder is a usage error naming it, before anything is written.
 */
export async function writeHtmlFile(deps: Deps, file: string, html: string): Promise<WrittenReport> {
  const bytes = Buffer.byteLength(html);
  if (file === '-') {
    deps.io.out.write(html);
    return { file: '-', bytes };
  }
  const path = checkHtmlTarget(deps, file);
  try {
    atomicWrite(path, html);
  } catch (err) {
    throw new StorageError(`cannot write ${file}: ${(err as Error).message}`, { cause: err });
  }
  return { file, bytes };
}
