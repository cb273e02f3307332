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
} as const;

export type RegistryScheme = keyof typeof REGISTRY_SCHEMES;

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** Which backend a `registry` setting names; an unknown scheme is a usage error listing the supported ones. */
export function registryScheme(setting: string): RegistryScheme {
  const m = SCHEME.exec(setting);
  if (!m) return 'file';
  const scheme = m[1]!.toLowerCase();
  if (scheme in REGISTRY_SCHEMES) return scheme as RegistryScheme;
  const supported = Object.values(REGISTRY_SCHEMES).join('; ');
  throw new UsageError(
    `registry ${JSON.stringify(setting.replace(/\/\/[^/@]*@/, '//…@'))}: unsupported scheme "${scheme}://"; supported: ${supported}`,
  );
}

/** A file setting as a path (file:// URLs decoded); other schemes are returned as they are. */
export function registryFilePath(setting: string): string {
  return setting.toLowerCase().startsWith('file://') ? fileURLToPath(setting) : setting;
}
