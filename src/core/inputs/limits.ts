import { UsageError } from '../errors.js';
import { formatBytes } from '../util/text.js';

/**
 * How large an input file may be before mlctl refuses to read it (issue 11.14). Two kinds, each
 * overridable by one environment variable with a size (`64MiB`, `2GiB`, `500MB`, bytes):
 * documents (YAML, JSON and text: mlctl.yaml, gates.yaml, --metrics, --schema, --config,
 * --requirements, MLmodel, serving files, ADRs, .mlctlignore) and tables (predictions, drift
 * reference data, evaluation output). The size is checked before reading; pipes and devices are
 * read up to the limit and no further.
 */
export type InputKind = 'document' | 'table';

const MiB = 1024 * 1024;
export const INPUT_LIMITS: Record<InputKind, { env: string; default: number; what: string }> = {
  document: { env: 'MLCTL_MAX_DOCUMENT_SIZE', default: 16 * MiB, what: 'YAML, JSON and text inputs' },
  table: { env: 'MLCTL_MAX_TABLE_SIZE', default: 2048 * MiB, what: 'prediction and data tables' },
};

const current: Record<InputKind, number> = {
  document: INPUT_LIMITS.document.default,
  table: INPUT_LIMITS.table.default,
};

export function inputLimit(kind: InputKind): number {
  return current[kind];
}

/** Set the limits for this process from its environment; a malformed value is a usage error. */
export function configureInputLimits(env: Record<string, string | undefined>): void {
  for (const kind of Object.keys(INPUT_LIMITS) as InputKind[]) {
    const spec = INPUT_LIMITS[kind];
    const raw = env[spec.env];
    current[kind] = raw === undefined || raw.trim() === '' ? spec.default : parseSize(raw, spec.env);
  }
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: MiB,
  mb: 1000 ** 2,
  mib: MiB,
  g: 1024 * MiB,
  gb: 1000 ** 3,
  gib: 1024 * MiB,
};

export function parseSize(raw: string, where: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw new UsageError(`${where}: ${JSON.stringify(raw)} is not a size; write e.g. 64MiB, 2GiB or a number of bytes`);
  return bytes;
}

/** `size` null: a pipe or a device, which said nothing of its size and gave more than the limit. */
export function tooLarge(label: string, kind: InputKind, size: number | null): UsageError {
  const spec = INPUT_LIMITS[kind];
  const limit = current[kind];
  const raise = `${spec.env}=${Math.ceil(Math.max(limit * 2, (size ?? 0) * 1.5) / MiB)}MiB`;
  return new UsageError(
    size === null
      ? `${label}: more than the ${formatBytes(limit)} limit for ${spec.what} came from it (a pipe or a device); if the input is right, raise it with ${raise}`
      : `${label}: ${formatBytes(size)} is over the ${formatBytes(limit)} limit for ${spec.what}; if the file is right, raise it with ${raise}`,
  );
}
