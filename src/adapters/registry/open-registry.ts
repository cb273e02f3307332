import { registryScheme, type RegistryScheme } from '../../core/registry/location.js';
import type { Registry } from '../../ports/registry.js';
import type { Clock } from '../../ports/clock.js';
import type { FastHeadTarget } from './fast-head.js';

/** What opening any backend may need; each takes what it uses. */
export interface OpenContext {
  /** Write commands create a missing registry; read commands refuse one. */
  create: boolean;
  /** Shared registry: start a new one where a remembered one disappeared (mlctl init --new-registry). */
  replaceLost?: boolean;
  s3: Omit<FastHeadTarget, 'bucket' | 'key'>;
  env: Record<string, string | undefined>;
  cacheRoot: string;
  offline: boolean;
  lockTimeoutMs: number;
  lockTtlMs: number;
  clock: Clock;
  actor(): Promise<string>;
  command: string;
  note(text: string): void;
}

/** One opener per scheme (see core/registry/location.ts); each loads its adapter on first use. */
const OPENERS: Record<RegistryScheme, (location: string, c: OpenContext) => Promise<Registry>> = {
  file: async (path, c) =>
    (await import('../sqlite/sqlite-registry.js')).SqliteRegistry.open(path, { create: c.create }),
  s3: async (uri, c) => {
    const { sharedRemote } = await import('./s3-remote.js');
    const { SharedRegistry } = await import('./shared-registry.js');
    return SharedRegistry.open(sharedRemote(uri, c.s3, c.env), { ...c, create: c.create });
  },
  postgres: async (url, c) => {
    const { parsePgUrl } = await import('../postgres/connection.js');
    const { PgRegistry } = await import('../postgres/pg-registry.js');
    return PgRegistry.open(parsePgUrl(url, c.env), c.env, { create: c.create });
  },
};

/** Open the registry a `registry` setting names (already resolved by the config: file paths are absolute). */
export function openRegistry(location: string, c: OpenContext): Promise<Registry> {
  return OPENERS[registryScheme(location)](location, c);
}
