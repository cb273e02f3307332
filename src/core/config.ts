import { existsSync } from 'node:fs';
import { dirname, join, resolve, isAbsolute } from 'node:path';
import { z } from 'zod';
import { UsageError } from './errors.js';
import { parseYamlDoc, readInputFile, zodToUsage } from './inputs/located-doc.js';

export const CONFIG_FILE = 'mlctl.yaml';
export const DEFAULT_REGISTRY = '.mlctl/registry.db';
export const DEFAULT_ARTIFACTS = '.mlctl/artifacts';

const S3Options = z
  .object({
    endpoint: z.url({ message: 'must be a URL such as http://127.0.0.1:9000' }).optional(),
    region: z.string().min(1).optional(),
    forcePathStyle: z.boolean().optional(),
    /** Multipart part size in MiB (5–512); 16 measured fastest here. */
    partSizeMiB: z.number().int().min(5).max(512).optional(),
    /** Parts in flight per upload. */
    queueSize: z.number().int().min(1).max(64).optional(),
  })
  .strict();

/** Sections owned by later features are accepted here and validated by the feature that reads them. */
export const ConfigFile = z
  .object({
    registry: z.string().min(1).optional(),
    artifacts: z.string().min(1).optional(),
    s3: S3Options.optional(),
    gates: z.unknown().optional(),
    serving: z.unknown().optional(),
    rollout: z.unknown().optional(),
    git: z.unknown().optional(),
    adr: z.unknown().optional(),
    gc: z.unknown().optional(),
  })
  .strict();
export type ConfigFile = z.infer<typeof ConfigFile>;

export type ArtifactLocation =
  | { kind: 'fs'; path: string }
  | { kind: 's3'; bucket: string; prefix: string; endpoint?: string; region: string; forcePathStyle: boolean; partSize?: number; queueSize?: number };

export interface ResolvedConfig {
  /** Folder holding mlctl.yaml (or the working directory when there is none). */
  root: string;
  file?: string;
  raw: ConfigFile;
  registry: string;
  artifacts: ArtifactLocation;
}

export interface ConfigOverrides {
  registry?: string;
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
  const doc = parseYamlDoc(readInputFile(file), file);
  const r = ConfigFile.safeParse(doc.value ?? {});
  if (!r.success) throw zodToUsage(doc, r.error);
  return r.data;
}

export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!m) throw new UsageError(`invalid S3 URI ${JSON.stringify(uri)}: expected s3://bucket/prefix with a lowercase bucket name`);
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
export function resolveConfig(cwd: string, env: Record<string, string | undefined>, flags: ConfigOverrides = {}): ResolvedConfig {
  const file = findConfig(cwd);
  const raw = file ? readConfigFile(file) : {};
  const root = file ? dirname(file) : resolve(cwd);
  const registrySetting = flags.registry ?? env.MLCTL_REGISTRY ?? raw.registry;
  if (!file && registrySetting === undefined) {
    throw new UsageError(`no ${CONFIG_FILE} found in ${resolve(cwd)} or any parent folder; run 'mlctl init --yes' here, or set MLCTL_REGISTRY`);
  }
  const registry = registrySetting ?? DEFAULT_REGISTRY;
  const artifactsSetting = flags.artifacts ?? env.MLCTL_ARTIFACTS ?? raw.artifacts ?? DEFAULT_ARTIFACTS;
  let artifacts: ArtifactLocation;
  if (artifactsSetting.startsWith('s3://')) {
    const { bucket, prefix } = parseS3Uri(artifactsSetting);
    const endpoint = flags.s3Endpoint ?? env.MLCTL_S3_ENDPOINT ?? raw.s3?.endpoint;
    artifacts = {
      kind: 's3',
      bucket,
      prefix,
      endpoint,
      region: raw.s3?.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      // Custom endpoints (MinIO, R2, Ceph, s3rver) almost always want path-style addressing.
      forcePathStyle: raw.s3?.forcePathStyle ?? endpoint !== undefined,
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
    registry: registry.startsWith('s3://') ? registry : localPath(root, registry),
    artifacts,
  };
}

function partSizeMiB(envValue: string | undefined, configured: number | undefined): number | undefined {
  if (envValue !== undefined) {
    const n = Number(envValue);
    if (!Number.isInteger(n) || n < 5 || n > 512) throw new UsageError(`MLCTL_S3_PART_SIZE_MIB=${JSON.stringify(envValue)}: expected a whole number of MiB from 5 to 512`);
    return n * 1024 * 1024;
  }
  return configured === undefined ? undefined : configured * 1024 * 1024;
}
