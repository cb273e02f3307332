import { canonicalJson } from '../canonical-json.js';
import { formatRef } from '../refs.js';
import type { MetricsInput } from '../inputs/metrics-file.js';
import type { Registry, VersionRecord } from '../../ports/registry.js';

/** What a register call brought besides the content, to compare with the version that holds it. */
export interface Extras {
  metrics: MetricsInput | null;
  metricsFile?: string;
  tags: Record<string, string>;
  description?: string;
  schema: unknown;
  schemaFile?: string;
  config: unknown;
  configFile?: string;
  requirements: string | null;
  requirementsFile?: string;
  dataHash: string | null;
  parent: VersionRecord | null;
}

export type DroppedKind = 'metrics' | 'tags' | 'description' | 'schema' | 'config' | 'requirements' | 'data' | 'parent';

/**
 * Register returns the existing version for content it already holds (issue 11.17): whatever the
 * call brought that differs from that version is not recorded. Say what, and how to record it.
 */
export async function notRecorded(
  registry: Registry,
  dup: VersionRecord,
  x: Extras,
): Promise<{ dropped: DroppedKind[]; warning: string | null }> {
  const said: string[] = [];
  const dropped: DroppedKind[] = [];
  const drop = (kind: DroppedKind, text: string) => {
    dropped.push(kind);
    said.push(text);
  };
  const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

  if (x.metrics?.rows.length) {
    const key = (m: { name: string; slice: string | null; value: number }) =>
      `${m.slice ?? ''}\u0000${m.name}\u0000${m.value}`;
    const have = new Set((await registry.metrics(dup.id)).map(key));
    if (x.metrics.rows.length !== have.size || !x.metrics.rows.every((m) => have.has(key(m))))
      drop('metrics', `${x.metrics.rows.length} metric(s) from ${x.metricsFile ?? '--metrics'}`);
  }
  const tags = await registry.tags(dup.id);
  const newTags = Object.entries(x.tags).filter(([k, v]) => tags[k] !== v);
  if (newTags.length) drop('tags', newTags.map(([k, v]) => `tag ${k}=${v}`).join(', '));
  if (x.description !== undefined && x.description !== (dup.description ?? undefined))
    drop('description', 'the description');
  if (x.schema !== null && !same(x.schema, dup.featureSchema))
    drop('schema', `the feature schema from ${x.schemaFile ?? '--schema'}`);
  if (x.config !== null && !same(x.config, dup.config)) drop('config', `the config from ${x.configFile ?? '--config'}`);
  if (x.requirements !== null && x.requirements !== dup.requirements)
    drop('requirements', `the requirements from ${x.requirementsFile ?? '--requirements'}`);
  if (x.dataHash !== null && x.dataHash !== dup.dataHash) drop('data', `the dataset digest ${x.dataHash}`);
  if (x.parent && (dup.parent?.model !== x.parent.model || dup.parent.version !== x.parent.version))
    drop('parent', `the parent ${formatRef(x.parent)}`);
  if (!said.length) return { dropped, warning: null };

  const ref = formatRef(dup);
  const tagHint = newTags.length
    ? `add tags with: mlctl tag ${ref} ${newTags.map(([k, v]) => `${k}=${v}`).join(' ')} — or `
    : '';
  return {
    dropped,
    warning: `${ref} already holds this content, so these were not recorded: ${said.join(', ')}; ${tagHint}register a new version with --allow-duplicate`,
  };
}
