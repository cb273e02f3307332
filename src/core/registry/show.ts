import { resolveRef } from './resolve.js';
import type { ArtifactEntry, MetricEntry, Registry, VersionRecord } from '../../ports/registry.js';

export interface VersionDetail extends VersionRecord {
  ref: string;
  aliases: string[];
  tags: Record<string, string>;
  files: ArtifactEntry[];
  metrics: MetricEntry[];
}

export function versionDetail(registry: Registry, v: VersionRecord): VersionDetail {
  return {
    ...v,
    ref: `${v.model}@${v.version}`,
    aliases: registry.aliasesOf(v.id),
    tags: registry.tags(v.id),
    files: registry.artifacts(v.id),
    metrics: registry.metrics(v.id),
  };
}

export function showVersion(registry: Registry, ref: string): VersionDetail {
  return versionDetail(registry, resolveRef(registry, ref, { allowBare: true }));
}
