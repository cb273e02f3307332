import { resolveRef } from '../registry/resolve.js';
import { versionDetail } from '../registry/show.js';
import { lineageOf, type LineageNode } from '../audit/lineage.js';
import {
  metaOf,
  openFirst,
  refNamer,
  summarizeGateRun,
  summarizeRollout,
  type GateRunSummary,
  type RolloutSummary,
  type ViewMeta,
} from './common.js';
import type { FeatureSchema } from '../inputs/feature-schema.js';
import type { ArtifactEntry, Registry, VersionStatus } from '../../ports/registry.js';

/** Levels of lineage drawn each way from the version. */
export const LINEAGE_DEPTH = 3;

export interface SchemaRow {
  side: 'input' | 'output';
  name: string;
  type: string;
  required: boolean;
  nullable: boolean;
  values: string[] | null;
  shape: number[] | null;
  description: string | null;
}

export interface MetricComparison {
  name: string;
  slice: string | null;
  value: number;
  /** The champion's value for the same metric and slice (null: no champion, or it lacks the metric). */
  champion: number | null;
  delta: number | null;
  datasetDigest: string | null;
  /** Both computed on the same dataset (false: the delta compares unlike with unlike; null: unknown). */
  sameDataset: boolean | null;
}

export interface LineageGraphNode {
  id: string;
  kind: 'version' | 'data';
  label: string;
  /** Version nodes: status and aliases; data nodes: null. */
  status: VersionStatus | string | null;
  aliases: string[];
  /** The version this page is about. */
  focus: boolean;
}

export interface LineageGraph {
  nodes: LineageGraphNode[];
  /** From upstream (parent, dataset) to downstream. */
  edges: Array<{ from: string; to: string; kind: 'parent' | 'data' }>;
  /** Cut by the depth limit somewhere. */
  truncated: boolean;
}

export interface VersionView {
  kind: 'version';
  meta: ViewMeta;
  ref: string;
  model: string;
  version: number;
  status: VersionStatus;
  aliases: string[];
  tags: Record<string, string>;
  description: string | null;
  createdAt: string;
  createdBy: string;
  manifestDigest: string;
  dataHash: string | null;
  code: { commit: string | null; branch: string | null; dirty: boolean | null; remote: string | null };
  config: unknown;
  parent: string | null;
  files: ArtifactEntry[];
  totalSize: number;
  schema: SchemaRow[];
  champion: string | null;
  metrics: MetricComparison[];
  lineage: LineageGraph;
  gateRuns: GateRunSummary[];
  rollouts: RolloutSummary[];
  adrs: string[];
}

function schemaRows(s: unknown): SchemaRow[] {
  const schema = s as Partial<FeatureSchema> | null;
  if (!schema || typeof schema !== 'object') return [];
  const rows: SchemaRow[] = [];
  for (const side of ['inputs', 'outputs'] as const) {
    for (const f of Array.isArray(schema[side]) ? schema[side] : []) {
      rows.push({
        side: side === 'inputs' ? 'input' : 'output',
        name: String(f.name),
        type: String(f.type),
        required: !!f.required,
        nullable: !!f.nullable,
        values: f.values ? f.values.map(String) : null,
        shape: f.shape ?? null,
        description: f.description ?? null,
      });
    }
  }
  return rows;
}

/** The lineage tree (parents up, children down) as a graph, with datasets as shared nodes. */
export function lineageGraph(root: LineageNode): LineageGraph {
  const nodes = new Map<string, LineageGraphNode>();
  const edges = new Map<string, LineageGraph['edges'][number]>();
  let truncated = false;
  const addVersion = (n: LineageNode) => {
    if (n.truncated) truncated = true;
    if (!nodes.has(n.ref))
      nodes.set(n.ref, {
        id: n.ref,
        kind: 'version',
        label: n.ref,
        status: n.status,
        aliases: n.aliases,
        focus: n === root,
      });
    if (n.data) {
      const id = `data:${n.data}`;
      if (!nodes.has(id))
        nodes.set(id, {
          id,
          kind: 'data',
          label: `data ${n.data.replace(/^sha256:/, '').slice(0, 12)}…`,
          status: null,
          aliases: [],
          focus: false,
        });
      edges.set(`${id}>${n.ref}`, { from: id, to: n.ref, kind: 'data' });
    }
  };
  const up = (n: LineageNode) => {
    addVersion(n);
    for (const p of n.parents) {
      up(p);
      edges.set(`${p.ref}>${n.ref}`, { from: p.ref, to: n.ref, kind: 'parent' });
    }
  };
  const down = (n: LineageNode) => {
    for (const c of n.children) {
      addVersion(c);
      edges.set(`${n.ref}>${c.ref}`, { from: n.ref, to: c.ref, kind: 'parent' });
      down(c);
    }
  };
  up(root);
  down(root);
  return { nodes: [...nodes.values()], edges: [...edges.values()], truncated };
}

export async function buildVersionView(registry: Registry, ref: string, now: Date): Promise<VersionView> {
  const v = await resolveRef(registry, ref, { allowBare: true });
  const d = await versionDetail(registry, v);
  const refOf = refNamer(registry);
  const championVersion = await registry.resolveAlias(v.model, 'champion');
  const champ =
    championVersion !== undefined && championVersion !== v.version
      ? await registry.getVersion(v.model, championVersion)
      : undefined;
  const champMetrics = champ ? await registry.metrics(champ.id) : [];
  const metrics: MetricComparison[] = d.metrics.map((m) => {
    const c = champMetrics.find((x) => x.name === m.name && x.slice === m.slice);
    return {
      name: m.name,
      slice: m.slice,
      value: m.value,
      champion: c ? c.value : null,
      delta: c ? m.value - c.value : null,
      datasetDigest: m.datasetDigest,
      sameDataset: c && m.datasetDigest && c.datasetDigest ? m.datasetDigest === c.datasetDigest : null,
    };
  });
  const lineage = lineageGraph(await lineageOf(registry, `${v.model}@${v.version}`, LINEAGE_DEPTH));
  const gateRuns: GateRunSummary[] = [];
  for (const g of await registry.gateRuns(v.id)) gateRuns.push(await summarizeGateRun(g, refOf));
  const rollouts: RolloutSummary[] = [];
  for (const r of await registry.rollouts({ model: v.model }))
    if (r.candidateId === v.id || r.championId === v.id) rollouts.push(await summarizeRollout(r, refOf));
  return {
    kind: 'version',
    meta: metaOf(registry, now),
    ref: d.ref,
    model: v.model,
    version: v.version,
    status: v.status,
    aliases: d.aliases,
    tags: d.tags,
    description: v.description,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
    manifestDigest: v.manifestDigest,
    dataHash: v.dataHash,
    code: { ...v.code },
    config: v.config,
    parent: v.parent ? `${v.parent.model}@${v.parent.version}` : null,
    files: d.files,
    totalSize: v.totalSize,
    schema: schemaRows(v.featureSchema),
    champion: champ ? `${champ.model}@${champ.version}` : championVersion === v.version ? d.ref : null,
    metrics,
    lineage,
    gateRuns,
    rollouts: openFirst(rollouts),
    adrs: d.adrs,
  };
}
