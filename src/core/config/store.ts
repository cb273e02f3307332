import { registryScheme, resolveRegistry } from '../registry/location.js';
import { isAbsolute, join } from 'node:path';
import { UsageError } from '../errors.js';
import { parseS3Uri } from './s3-uri.js';
import type { Shape } from './shape.js';

export const DEFAULT_REGISTRY = '.mlctl/registry.db';
export const DEFAULT_ARTIFACTS = '.mlctl/artifacts';

/** `registry:`, `artifacts:` and `s3:` as written in mlctl.yaml. */
export interface StoreSettings {
  registry?: string;
  artifacts?: string;
  s3: { endpoint?: string; region?: string; forcePathStyle?: boolean; partSizeMiB?: number; queueSize?: number };
}

const S3_KEYS = ['endpoint', 'region', 'forcePathStyle', 'partSizeMiB', 'queueSize'];

export function readStoreSettings(
  sh: Shape,
  raw: { registry?: unknown; artifacts?: unknown; s3?: unknown },
): StoreSettings {
  for (const k of ['registry', 'artifacts'] as const)
    if (raw[k] !== undefined && (typeof raw[k] !== 'string' || raw[k] === ''))
      sh.fail([k], 'must be a non-empty string');
  const out: StoreSettings = {
    registry: raw.registry as string | undefined,
    artifacts: raw.artifacts as string | undefined,
    s3: {},
  };
  if (raw.s3 === undefined) return out;
  const s3 = sh.map(raw.s3, ['s3'], S3_KEYS, 'a mapping such as { endpoint: http://127.0.0.1:9000 }');
  if (s3.endpoint !== undefined && (typeof s3.endpoint !== 'string' || !/^https?:\/\/[^\s/]+/.test(s3.endpoint)))
    sh.fail(['s3', 'endpoint'], 'must be a URL such as http://127.0.0.1:9000');
  if (s3.region !== undefined && (typeof s3.region !== 'string' || s3.region === ''))
    sh.fail(['s3', 'region'], 'must be a region name such as us-east-1');
  const int = (k: string, lo: number, hi: number): number | undefined => {
    const n = s3[k];
    if (n !== undefined && (typeof n !== 'number' || !Number.isInteger(n) || n < lo || n > hi))
      sh.fail(['s3', k], `must be a whole number from ${lo} to ${hi}`);
    return n as number | undefined;
  };
  out.s3 = {
    endpoint: s3.endpoint as string | undefined,
    region: s3.region as string | undefined,
    forcePathStyle:
      s3.forcePathStyle === undefined ? undefined : sh.bool(s3.forcePathStyle, ['s3', 'forcePathStyle'], false),
    partSizeMiB: int('partSizeMiB', 5, 512),
    queueSize: int('queueSize', 1, 64),
  };
  return out;
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

/** How to reach S3 (for the artifacts and a shared registry alike). */
export interface S3Connection {
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
}

export interface StoreOverrides {
  registry?: string;
  artifacts?: string;
  s3Endpoint?: string;
}

/**
 * Where the registry and the artifacts are. Precedence: flags, then MLCTL_* environment, then
 * mlctl.yaml, then the embedded defaults; local paths are relative to the project root.
 */
export function resolveStores(
  root: string,
  settings: StoreSettings,
  env: Record<string, string | undefined>,
  flags: StoreOverrides,
): { registry: string | undefined; artifacts: ArtifactLocation; s3: S3Connection } {
  const registry = flags.registry ?? env.MLCTL_REGISTRY ?? settings.registry;
  const artifactsSetting = flags.artifacts ?? env.MLCTL_ARTIFACTS ?? settings.artifacts ?? DEFAULT_ARTIFACTS;
  const endpoint = flags.s3Endpoint ?? env.MLCTL_S3_ENDPOINT ?? settings.s3.endpoint;
  const s3: S3Connection = {
    endpoint,
    region: settings.s3.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    // Custom endpoints (MinIO, R2, Ceph, s3rver) almost always want path-style addressing.
    forcePathStyle: settings.s3.forcePathStyle ?? endpoint !== undefined,
  };
  const where =
    flags.registry !== undefined
      ? '--registry'
      : env.MLCTL_REGISTRY !== undefined
        ? 'MLCTL_REGISTRY'
        : 'mlctl.yaml: registry';
  if (registry !== undefined && registryScheme(registry, where) === 's3') parseS3Uri(registry);
  let artifacts: ArtifactLocation;
  if (artifactsSetting.startsWith('s3://')) {
    const { bucket, prefix } = parseS3Uri(artifactsSetting);
    artifacts = {
      kind: 's3',
      bucket,
      prefix,
      ...s3,
      partSize: partSizeBytes(env.MLCTL_S3_PART_SIZE_MIB, settings.s3.partSizeMiB),
      queueSize: settings.s3.queueSize,
    };
  } else artifacts = { kind: 'fs', path: localPath(root, artifactsSetting) };
  return {
    registry: registry === undefined ? registry : resolveRegistry(registry, root, where),
    artifacts,
    s3,
  };
}

function localPath(root: string, p: string): string {
  return isAbsolute(p) ? p : join(root, p);
}

function partSizeBytes(envValue: string | undefined, configured: number | undefined): number | undefined {
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
