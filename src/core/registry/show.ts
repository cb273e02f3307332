import { resolveRef } from './resolve.js';
import type { ArtifactEntry, MetricEntry, Registry, VersionRecord } from '../../ports/registry.js';
import { formatRef } from '../refs.js';
import { redactUrl } from '../util/redact-url.js';

export interface VersionDetail extends VersionRecord {
  ref: string;
  aliases: string[];
  tags: Record<string, string>;
  files: ArtifactEntry[];
  metrics: MetricEntry[];
  /** ADRs recorded for decisions about this version (promotions, rollbacks). */
  adrs: string[];
}

export async function versionDetail(registry: Registry, v: VersionRecord): Promise<VersionDetail> {
  return {
    ...v,
    // Rows written before remotes were redacted on the way in are redacted on the way out.
    code: { ...v.code, remote: v.code.remote && redactUrl(v.code.remote) },
    ref: formatRef(v),
    aliases: await registry.aliasesOf(v.id),
    tags: await registry.tags(v.id),
    files: await registry.artifacts(v.id),
    metrics: await registry.metrics(v.id),
    adrs: await adrsOf(registry, v),
  };
}

export async function showVersion(registry: Registry, ref: string): Promise<VersionDetail> {
  return await versionDetail(registry, await resolveRef(registry, ref, { allowBare: true }));
}

async function adrsOf(registry: Registry, v: VersionRecord): Promise<string[]> {
  const out = new Set<string>();
  const ref = formatRef(v);
  for (const e of await registry.events({ subject: ref })) {
    const a = (e.payload as { adr?: unknown } | null)?.adr;
    if (typeof a === 'string') out.add(a);
  }
  // A rollback away from this version is recorded on the version it returned to.
  for (const e of await registry.events({ model: v.model, action: 'champion.set' })) {
    const p = e.payload as { previous?: unknown; adr?: unknown };
    if (p.previous === v.version && typeof p.adr === 'string') out.add(p.adr);
  }
  return [...out].sort();
}
