import type { Registry } from '../../ports/registry.js';
import { resolveRef } from './resolve.js';
import type { FeatureField, FeatureSchema } from '../inputs/feature-schema.js';
import { formatRef } from '../refs.js';

export interface MetricDelta {
  name: string;
  slice: string | null;
  a: number | null;
  b: number | null;
  delta: number | null;
  /** (b − a) / |a|; null when a is 0 or missing (never NaN). */
  relative: number | null;
  sameDataset: boolean;
}
export interface ValueChange {
  key: string;
  a: unknown;
  b: unknown;
}
export interface SchemaChange {
  side: 'inputs' | 'outputs';
  name: string;
  change: 'added' | 'removed' | 'changed';
  detail: string;
}
export interface DiffResult {
  a: string;
  b: string;
  metrics: MetricDelta[];
  config: ValueChange[];
  schema: SchemaChange[];
  files: { added: string[]; removed: string[]; changed: string[]; unchanged: number };
  data: { a: string | null; b: string | null; same: boolean };
  code: { a: string | null; b: string | null };
}

function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0 && prefix) out.set(prefix, {});
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.set(prefix, value);
  return out;
}

function describeField(f: FeatureField): string {
  return `${f.type}${f.required ? ', required' : ''}${f.values ? `, values [${f.values.join(', ')}]` : ''}`;
}

export function schemaChanges(a: FeatureSchema | null, b: FeatureSchema | null): SchemaChange[] {
  const out: SchemaChange[] = [];
  for (const side of ['inputs', 'outputs'] as const) {
    const am = new Map((a?.[side] ?? []).map((f) => [f.name, f]));
    const bm = new Map((b?.[side] ?? []).map((f) => [f.name, f]));
    for (const [name, fa] of am) {
      const fb = bm.get(name);
      if (!fb) out.push({ side, name, change: 'removed', detail: describeField(fa) });
      else if (describeField(fa) !== describeField(fb))
        out.push({ side, name, change: 'changed', detail: `${describeField(fa)} → ${describeField(fb)}` });
    }
    for (const [name, fb] of bm)
      if (!am.has(name)) out.push({ side, name, change: 'added', detail: describeField(fb) });
  }
  return out;
}

export async function diffVersions(registry: Registry, refA: string, refB: string): Promise<DiffResult> {
  const va = await resolveRef(registry, refA);
  const vb = await resolveRef(registry, refB);
  const ma = await registry.metrics(va.id);
  const mb = await registry.metrics(vb.id);
  const key = (m: { slice: string | null; name: string }) => `${m.slice ?? ''}\u0000${m.name}`;
  const keys = new Map<string, { name: string; slice: string | null }>();
  for (const m of [...ma, ...mb]) keys.set(key(m), { name: m.name, slice: m.slice });
  const metrics: MetricDelta[] = [...keys.entries()]
    .sort(([x], [y]) => (x < y ? -1 : 1))
    .map(([k, { name, slice }]) => {
      const a = ma.find((m) => key(m) === k);
      const b = mb.find((m) => key(m) === k);
      const delta = a && b ? b.value - a.value : null;
      return {
        name,
        slice,
        a: a?.value ?? null,
        b: b?.value ?? null,
        delta,
        relative: delta !== null && a && a.value !== 0 ? delta / Math.abs(a.value) : null,
        sameDataset: !!a && !!b && a.datasetDigest === b.datasetDigest,
      };
    });
  const ca = flatten(va.config);
  const cb = flatten(vb.config);
  const config: ValueChange[] = [];
  for (const k of [...new Set([...ca.keys(), ...cb.keys()])].sort()) {
    if (JSON.stringify(ca.get(k)) !== JSON.stringify(cb.get(k)))
      config.push({ key: k, a: ca.get(k) ?? null, b: cb.get(k) ?? null });
  }
  const fa = new Map((await registry.artifacts(va.id)).map((f) => [f.path, f.sha256]));
  const fb = new Map((await registry.artifacts(vb.id)).map((f) => [f.path, f.sha256]));
  const files = { added: [] as string[], removed: [] as string[], changed: [] as string[], unchanged: 0 };
  for (const [p, s] of fa) {
    if (!fb.has(p)) files.removed.push(p);
    else if (fb.get(p) !== s) files.changed.push(p);
    else files.unchanged++;
  }
  for (const p of fb.keys()) if (!fa.has(p)) files.added.push(p);
  return {
    a: formatRef(va),
    b: formatRef(vb),
    metrics,
    config,
    schema: schemaChanges(va.featureSchema as FeatureSchema | null, vb.featureSchema as FeatureSchema | null),
    files,
    data: { a: va.dataHash, b: vb.dataHash, same: va.dataHash === vb.dataHash },
    code: { a: va.code.commit, b: vb.code.commit },
  };
}
