import { existsSync } from 'node:fs';
import { dirname, join, resolve, isAbsolute } from 'node:path';
import { UsageError } from './errors.js';
import { parseYamlDoc, readInputFile, type LocatedDoc } from './inputs/located-doc.js';

export const CONFIG_FILE = 'mlctl.yaml';
export const DEFAULT_REGISTRY = '.mlctl/registry.db';
export const DEFAULT_ARTIFACTS = '.mlctl/artifacts';

export interface ConfigFile {
  registry?: string;
  artifacts?: string;
  s3?: { endpoint?: string; region?: string; forcePathStyle?: boolean; partSizeMiB?: number; queueSize?: number };
  /** Sections owned by later features: accepted here, validated by the feature that reads them. */
  gates?: unknown;
  serving?: unknown;
  rollout?: unknown;
  git?: unknown;
  rollback?: unknown;
  adr?: unknown;
  gc?: unknown;
}

const TOP_KEYS = ['registry', 'artifacts', 's3', 'gates', 'serving', 'rollout', 'git', 'rollback', 'adr', 'gc'];
const S3_KEYS = ['endpoint', 'region', 'forcePathStyle', 'partSizeMiB', 'queueSize'];

/**
 * Validated by hand rather than with zod: mlctl.yaml is read by every command, and loading zod
 * costs more start-up time than this whole check.
 */
function validateConfig(doc: LocatedDoc): ConfigFile {
  const fail = (path: Array<string>, msg: string, unknownKey = false): never => {
    const line = doc.lineOf(path);
    const where = unknownKey ? path.slice(0, -1) : path;
    throw new UsageError(
      `${doc.label}: ${where.length ? `${where.join('.')}: ` : ''}${msg}${line ? ` (line ${line})` : ''}`,
    );
  };
  const v = doc.value ?? {};
  if (typeof v !== 'object' || Array.isArray(v))
    fail([], 'expected a mapping of settings such as "registry: .mlctl/registry.db"');
  const c = v as Record<string, unknown>;
  for (const k of Object.keys(c))
    if (!TOP_KEYS.includes(k)) fail([k], `unknown key ${JSON.stringify(k)}; check the spelling`, true);
  for (const k of ['registry', 'artifacts'] as const) {
    if (c[k] !== undefined && (typeof c[k] !== 'string' || c[k] === '')) fail([k], 'must be a non-empty string');
  }
  if (c.s3 !== undefined) {
    if (c.s3 === null || typeof c.s3 !== 'object' || Array.isArray(c.s3))
      fail(['s3'], 'must be a mapping such as { endpoint: http://127.0.0.1:9000 }');
    const s3 = c.s3 as Record<string, unknown>;
    for (const k of Object.keys(s3))
      if (!S3_KEYS.includes(k)) fail(['s3', k], `unknown key ${JSON.stringify(k)}; use ${S3_KEYS.join(', ')}`, true);
    if (s3.endpoint !== undefined && (typeof s3.endpoint !== 'string' || !/^https?:\/\/[^\s/]+/.test(s3.endpoint)))
      fail(['s3', 'endpoint'], 'must be a URL such as http://127.0.0.1:9000');
    if (s3.region !== undefined && (typeof s3.region !== 'string' || s3.region === ''))
      fail(['s3', 'region'], 'must be a region name such as us-east-1');
    if (s3.forcePathStyle !== undefined && typeof s3.forcePathStyle !== 'boolean')
      fail(['s3', 'forcePathStyle'], 'must be true or false');
    const int = (k: string, lo: number, hi: number) => {
      const n = s3[k];
      if (n !== undefined && (typeof n !== 'number' || !Number.isInteger(n) || n < lo || n > hi))
        fail(['s3', k], `must be a whole number from ${lo} to ${hi}`);
    };
    int('partSizeMiB', 5, 512);
    int('queueSize', 1, 64);
  }
  return c as ConfigFile;
}

export type ArtifactLocation =
  | { kind: 'fs'; path: string }
  | {
      kind: 's3';
      bucket: string;
      prefix: string;
      endpoint?: string;
      region: string;
      forcePathStyle: boolean;
      partSize?: number;
      queueSize?: number;
    };

export interface ResolvedConfig {
  /** Folder holding mlctl.yaml (or the working directory when there is none). */
  root: string;
  file?: string;
  raw: ConfigFile;
  /** The line of a setting in mlctl.yaml, for the feature readers' error messages. */
  lineOf: LocatedDoc['lineOf'];
  registry: string;
  artifacts: ArtifactLocation;
  /** How to reach S3 (for the artifacts and a shared registry alike). */
  s3: { endpoint?: string; region: string; forcePathStyle: boolean };
}

export interface ConfigOverrides {
  registry?: string;
  /** Shared registry: use the cached copy without asking S3 (read commands only). */
  offline?: boolean;
  /** Shared registry: how long a write waits for someone else's lock. */
  lockTimeoutMs?: number;
  artifacts?: string;
  s3Endpoint?: string;
}

export function findConfig(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (let i = 0; i < 256; i++) {
    const f = join(dir, CONFIG_FILE);
    if (existsSync(f)) return f;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

export function readConfigFile(file: string): ConfigFile {
  return readConfigDoc(file).config;
}

/** The settings and where each one sits (lines are only looked up when an error needs one). */
export function readConfigDoc(file: string): { config: ConfigFile; lineOf: LocatedDoc['lineOf'] } {
  const doc = parseYamlDoc(readInputFile(file), file);
  return { config: validateConfig(doc), lineOf: doc.lineOf };
}

export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!m)
    throw new UsageError(
      `invalid S3 URI ${JSON.stringify(uri)}: expected s3://bucket/prefix with a lowercase bucket name`,
    );
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: m[1]!, prefix };
}

function localPath(root: string, p: string): string {
  return isAbsolute(p) ? p : join(root, p);
}

/**
 * Precedence: flags, then MLCTL_* environment, then mlctl.yaml, then the embedded defaults.
 * Without mlctl.yaml and without an explicit registry, commands refuse rather than silently
 * creating a registry in whatever folder they were run from.
 */
export function resolveConfig(
  cwd: string,
  env: Record<string, string | undefined>,
  flags: ConfigOverrides = {},
): ResolvedConfig {
  const file = findConfig(cwd);
  const { config: raw, lineOf } = file ? readConfigDoc(file) : { config: {}, lineOf: () => undefined };
  const root = file ? dirname(file) : resolve(cwd);
  const registrySetting = flags.registry ?? env.MLCTL_REGISTRY ?? raw.registry;
  if (!file && registrySetting === undefined) {
    throw new UsageError(
      `no ${CONFIG_FILE} found in ${resolve(cwd)} or any parent folder; run 'mlctl init --yes' here, or set MLCTL_REGISTRY`,
    );
  }
  const registry = registrySetting ?? DEFAULT_REGISTRY;
  const artifactsSetting = flags.artifacts ?? env.MLCTL_ARTIFACTS ?? raw.artifacts ?? DEFAULT_ARTIFACTS;
  const endpoint = flags.s3Endpoint ?? env.MLCTL_S3_ENDPOINT ?? raw.s3?.endpoint;
  const s3 = {
    endpoint,
    region: raw.s3?.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    // Custom endpoints (MinIO, R2, Ceph, s3rver) almost always want path-style addressing.
    forcePathStyle: raw.s3?.forcePathStyle ?? endpoint !== undefined,
  };
  if (registry.startsWith('s3://')) parseS3Uri(registry);
  let artifacts: ArtifactLocation;
  if (artifactsSetting.startsWith('s3://')) {
    const { bucket, prefix } = parseS3Uri(artifactsSetting);
    artifacts = {
      kind: 's3',
      bucket,
      prefix,
      ...s3,
      partSize: partSizeMiB(env.MLCTL_S3_PART_SIZE_MIB, raw.s3?.partSizeMiB),
      queueSize: raw.s3?.queueSize,
    };
  } else {
    artifacts = { kind: 'fs', path: localPath(root, artifactsSetting) };
  }
  return {
    root,
    file,
    raw,
    lineOf,
    registry: registry.startsWith('s3://') ? registry : localPath(root, registry),
    artifacts,
    s3,
  };
}

function partSizeMiB(envValue: string | undefined, configured: number | undefined): number | undefined {
  if (envValue !== undefined) {
    const n = Number(envValue);
    if (!Number.isInteger(n) || n < 5 || n > 512)
      throw new UsageError(
        `MLCTL_S3_PART_SIZE_MIB=${JSON.stringify(envValue)}: expected a whole number of MiB from 5 to 512`,
      );
    return n * 1024 * 1024;
  }
  return configured === undefined ? undefined : configured * 1024 * 1024;
}
