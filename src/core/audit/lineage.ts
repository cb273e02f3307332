import { UsageError } from '../errors.js';
import { normalizeDigest, sha256Hex } from '../hashing/digest.js';
import { resolveRef } from '../registry/resolve.js';
import { describeStage } from '../rollout/stages.js';
import { finalIntervals } from '../rollout/history.js';
import type { Registry, VersionRecord, EventRecord, RolloutRecord } from '../../ports/registry.js';
import { formatRef } from '../refs.js';
import { redactUrl } from '../util/redact-url.js';

export interface LineageNode {
  ref: string;
  status: string;
  aliases: string[];
  data: string | null;
  code: { commit: string | null; branch: string | null; remote: string | null; dirty: boolean | null };
  config: unknown;
  requirements: string | null;
  createdAt: string;
  createdBy: string;
  parents: LineageNode[];
  children: LineageNode[];
  gateRuns: Array<{
    id: number;
    verdict: string;
    baseline: string | null;
    at: string;
    policyDigest: string;
    datasetDigest: string | null;
  }>;
  championChanges: Array<{
    seq: number;
    at: string;
    actor: string;
    change: 'became champion' | 'replaced as champion';
    reason: string | null;
    adr: string | null;
  }>;
  adrs: string[];
  /** Rollouts of this version: where they got to, and the GitOps commit of each step. */
  rollouts: Array<{
    id: number;
    state: string;
    stage: string;
    startedAt: string;
    endedAt: string | null;
    outcome: string | null;
    commits: string[];
    /** Live compare checks: the interval each stage's decision rested on (its last counted look). */
    liveChecks: ReturnType<typeof finalIntervals>;
  }>;
  /** True when the parents/children were cut by --depth. */
  truncated?: boolean;
}

/**
 * What the tree needs per model, queried once per model rather than once per node (a database
 * server answers each query over the network).
 */
interface PerModel {
  /** champion.set events, oldest first. */
  championEvents(model: string): Promise<EventRecord[]>;
  rollouts(model: string): Promise<RolloutRecord[]>;
}

function perModelOnce(registry: Registry): PerModel {
  const memo = <T>(load: (model: string) => Promise<T>) => {
    const cache = new Map<string, Promise<T>>();
    return (model: string) => {
      let p = cache.get(model);
      if (!p) cache.set(model, (p = load(model)));
      return p;
    };
  };
  return {
    championEvents: memo(async (model) => (await registry.events({ model, action: 'champion.set' })).reverse()),
    rollouts: memo((model) => registry.rollouts({ model })),
  };
}

async function node(registry: Registry, v: VersionRecord, perModel: PerModel): Promise<LineageNode> {
  const ref = formatRef(v);
  const champ = await perModel.championEvents(v.model);
  const adrs = new Set<string>();
  const changes: LineageNode['championChanges'] = [];
  for (const e of champ) {
    const p = e.payload as Record<string, unknown>;
    if (p.version !== v.version && p.previous !== v.version) continue;
    if (typeof p.adr === 'string') adrs.add(p.adr);
    changes.push({
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      change: p.version === v.version ? 'became champion' : 'replaced as champion',
      reason: (p.reason as string) ?? null,
      adr: (p.adr as string) ?? null,
    });
  }
  const commits = new Map<number, string[]>();
  for (const e of await registry.events({ subject: ref })) {
    const p = e.payload as Record<string, unknown> | null;
    if (p && typeof p.adr === 'string') adrs.add(p.adr);
    if (p && e.action.startsWith('rollout.') && typeof p.rollout === 'number' && typeof p.commit === 'string')
      commits.set(p.rollout, [...(commits.get(p.rollout) ?? []), p.commit]);
  }
  const rollouts = await Promise.all(
    (await perModel.rollouts(v.model))
      .filter((r) => r.candidateId === v.id)
      .map(async (r) => {
        const stage = describeStage(r.plan[r.step]!);
        // events() is newest first: commits in the order they were made.
        return {
          id: r.id,
          state: r.state,
          stage,
          startedAt: r.startedAt,
          endedAt: r.endedAt,
          outcome: r.outcome,
          commits: [...new Set([...(commits.get(r.id) ?? [])].reverse())],
          liveChecks: finalIntervals(r, await registry.compareLooks({ rolloutId: r.id })),
        };
      }),
  );
  return {
    ref,
    status: v.status,
    aliases: await registry.aliasesOf(v.id),
    data: v.dataHash,
    code: {
      commit: v.code.commit,
      branch: v.code.branch,
      remote: v.code.remote && redactUrl(v.code.remote),
      dirty: v.code.dirty,
    },
    config: v.config,
    requirements: v.requirements ? `sha256:${sha256Hex(v.requirements)}` : null,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
    parents: [],
    children: [],
    gateRuns: await Promise.all(
      (await registry.gateRuns(v.id)).map(async (g) => {
        const b = g.baselineId ? await registry.getVersionById(g.baselineId) : undefined;
        return {
          id: g.id,
          verdict: g.verdict,
          baseline: b ? formatRef(b) : null,
          at: g.at,
          policyDigest: g.policyDigest,
          datasetDigest: g.datasetDigest,
        };
      }),
    ),
    championChanges: changes,
    adrs: [...adrs],
    rollouts,
  };
}

/** Upstream (parents, recursively) and downstream (children, recursively) of a version, `depth` levels each way. */
export async function lineageOf(registry: Registry, ref: string, depth: number): Promise<LineageNode> {
  if (!Number.isInteger(depth) || depth < 0 || depth > 100)
    throw new UsageError('--depth must be a whole number from 0 to 100');
  const root = await resolveRef(registry, ref, { allowBare: true });
  const perModel = perModelOnce(registry);
  const up = async (v: VersionRecord, d: number, seen: Set<number>): Promise<LineageNode> => {
    const n = await node(registry, v, perModel);
    if (!v.parent) return n;
    if (d === 0) return { ...n, truncated: true };
    const p = await registry.getVersion(v.parent.model, v.parent.version);
    if (p && !seen.has(p.id)) n.parents.push(await up(p, d - 1, new Set([...seen, p.id])));
    return n;
  };
  const down = async (v: VersionRecord, d: number, seen: Set<number>): Promise<LineageNode[]> => {
    const kids = (await registry.children(v.id)).filter((c) => !seen.has(c.id));
    if (d === 0) return [];
    const out: LineageNode[] = [];
    for (const c of kids) {
      const n = await node(registry, c, perModel);
      n.children = await down(c, d - 1, new Set([...seen, c.id]));
      if (d === 1 && (await registry.children(c.id)).length) n.truncated = true;
      out.push(n);
    }
    return out;
  };
  const n = await up(root, depth, new Set([root.id]));
  n.children = await down(root, depth, new Set([root.id]));
  return n;
}

export interface DataUsage {
  data: string;
  versions: Array<{ ref: string; status: string; aliases: string[]; serving: boolean; createdAt: string }>;
}

/** Every version trained on a dataset, and whether it serves now (the answer to a data-deletion request). */
export async function versionsTrainedOn(registry: Registry, data: string): Promise<DataUsage> {
  const digest = normalizeDigest(data, '--data');
  // One aliases query per model, not one per version (hundreds of versions may share a dataset).
  const byModel = new Map<string, ReturnType<Registry['aliases']>>();
  const aliasesOf = (model: string) => {
    let p = byModel.get(model);
    if (!p) byModel.set(model, (p = registry.aliases(model)));
    return p;
  };
  return {
    data: digest,
    versions: await Promise.all(
      (await registry.versionsByData(digest)).map(async (v) => {
        const aliases = (await aliasesOf(v.model)).filter((a) => a.version === v.version).map((a) => a.alias);
        return {
          ref: formatRef(v),
          status: v.status,
          aliases,
          serving: aliases.includes('champion') || v.status === 'production' || v.status === 'staging',
          createdAt: v.createdAt,
        };
      }),
    ),
  };
}
