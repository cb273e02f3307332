import { resolveRef } from './resolve.js';
import type { ArtifactEntry, MetricEntry, Registry, VersionRecord } from '../../ports/registry.js';

export interface VersionDetail extends VersionRecord {
  ref: string;
  aliases: string[];
  tags: Record<string, string>;
  files: ArtifactEntry[];
  metrics: MetricEntry[];
  /** ADRs recorded for decisions about this version (promotions, rollbacks). */
  adrs: string[];
}

export function versionDetail(registry: Registry, v: VersionRecord): VersionDetail {
  return {
    ...v,
    ref: `${v.model}@${v.version}`,
    aliases: registry.aliasesOf(v.id),
    tags: registry.tags(v.id),
    files: registry.artifacts(v.id),
    metrics: registry.metrics(v.id),
    adrs: adrsOf(registry, v),
  };
}

export function showVersion(registry: Registry, ref: string): VersionDetail {
  return versionDetail(registry, resolveRef(registry, ref, { allowBare: true }));
}

function adrsOf(registry: Registry, v: VersionRecord): string[] {
  const out = new Set<string>();
  const ref = `${v.model}@${v.version}`;
  for (const e of registry.events({ subject: ref })) {
    const a = (e.payload as { adr?: unknown } | null)?.adr;
    if (typeof a === 'string') out.add(a);
  }
  // A rollback away from this version is recorded on the version it returned to.
  for (const e of registry.events({ model: v.model, action: 'champion.set' })) {
    const p = e.payload as { previous?: unknown; adr?: unknown };
    if (p.previous === v.version && typeof p.adr === 'string') out.add(p.adr);
  }
  return [...out].sort();
}
