import { checkModelName } from '../refs.js';
import { requireModel } from '../registry/resolve.js';
import { championAt } from '../audit/champion.js';
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
import type { Registry, VersionStatus } from '../../ports/registry.js';

/** Columns of the versions table; every metric still gets its chart. */
export const MAX_TABLE_METRICS = 8;

export interface VersionRow {
  version: number;
  ref: string;
  status: VersionStatus;
  aliases: string[];
  tags: Record<string, string>;
  description: string | null;
  createdAt: string;
  createdBy: string;
  /** Overall metrics (no slice). */
  metrics: Record<string, number>;
  dataHash: string | null;
  codeCommit: string | null;
  manifestDigest: string;
  /** The champion when this version was registered: the version it had to beat. */
  championAtRegistration: number | null;
  /** Ever champion. */
  wasChampion: boolean;
  lastGate: { id: number; verdict: string } | null;
}

export interface ChampionPeriod {
  version: number | null;
  from: string;
  /** Null: still champion. */
  to: string | null;
  actor: string;
  via: string | null;
  reason: string | null;
  adr: string | null;
}

/** Consecutive versions registered while the same version was champion: the bands of the metric charts. */
export interface ChampionBand {
  champion: number | null;
  fromVersion: number;
  toVersion: number;
}

export interface MetricSeries {
  metric: string;
  points: Array<{ version: number; value: number }>;
}

export interface ModelView {
  kind: 'model';
  meta: ViewMeta;
  model: { name: string; description: string | null; createdAt: string | null };
  champion: number | null;
  /** Oldest first. */
  versions: VersionRow[];
  /** Metric names shown as table columns (the most common ones, at most MAX_TABLE_METRICS). */
  tableMetrics: string[];
  /** One series per overall metric, in name order. */
  series: MetricSeries[];
  championHistory: ChampionPeriod[];
  championBands: ChampionBand[];
  /** Open rollouts first, then past ones newest first. */
  rollouts: RolloutSummary[];
  /** Newest first. */
  gateRuns: GateRunSummary[];
}

export async function buildModelView(registry: Registry, model: string, now: Date): Promise<ModelView> {
  checkModelName(model);
  await requireModel(registry, model);
  const summary = (await registry.listModels()).find((m) => m.name === model);
  const records = (await registry.listVersions(model, {})).reverse();
  const aliases = new Map<number, string[]>();
  for (const a of await registry.aliases(model)) aliases.set(a.version, [...(aliases.get(a.version) ?? []), a.alias]);

  const history = (await championAt(registry, model, undefined, now)).timeline;
  const championHistory: ChampionPeriod[] = history.map((c, i) => ({
    version: c.version,
    from: c.at,
    to: history[i + 1]?.at ?? null,
    actor: c.actor,
    via: c.via,
    reason: c.reason,
    adr: c.adr,
  }));
  const championWhen = (at: string) => {
    let v: number | null = null;
    for (const c of history) if (c.at <= at) v = c.version;
    return v;
  };
  const everChampion = new Set(history.map((c) => c.version).filter((v): v is number => v !== null));

  const refOf = refNamer(registry);
  const gateRuns: GateRunSummary[] = [];
  const versions: VersionRow[] = [];
  const metricCount = new Map<string, number>();
  for (const v of records) {
    const metrics: Record<string, number> = {};
    for (const m of await registry.metrics(v.id)) {
      if (m.slice) continue;
      metrics[m.name] = m.value;
      metricCount.set(m.name, (metricCount.get(m.name) ?? 0) + 1);
    }
    const runs = await registry.gateRuns(v.id);
    for (const g of runs) gateRuns.push(await summarizeGateRun(g, refOf));
    versions.push({
      version: v.version,
      ref: `${v.model}@${v.version}`,
      status: v.status,
      aliases: aliases.get(v.version) ?? [],
      tags: await registry.tags(v.id),
      description: v.description,
      createdAt: v.createdAt,
      createdBy: v.createdBy,
      metrics,
      dataHash: v.dataHash,
      codeCommit: v.code.commit,
      manifestDigest: v.manifestDigest,
      championAtRegistration: championWhen(v.createdAt),
      wasChampion: everChampion.has(v.version),
      lastGate: runs[0] ? { id: runs[0].id, verdict: runs[0].verdict } : null,
    });
  }
  gateRuns.sort((a, b) => b.id - a.id);

  const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
  const names = [...metricCount.keys()].sort(byName);
  const tableMetrics = [...names]
    .sort((a, b) => metricCount.get(b)! - metricCount.get(a)! || a.localeCompare(b))
    .slice(0, MAX_TABLE_METRICS)
    .sort(byName);
  const series = names.map((metric) => ({
    metric,
    points: versions
      .filter((v) => v.metrics[metric] !== undefined)
      .map((v) => ({ version: v.version, value: v.metrics[metric]! })),
  }));

  const championBands: ChampionBand[] = [];
  for (const v of versions) {
    const last = championBands[championBands.length - 1];
    if (last && last.champion === v.championAtRegistration) last.toVersion = v.version;
    else championBands.push({ champion: v.championAtRegistration, fromVersion: v.version, toVersion: v.version });
  }

  const rollouts = openFirst(
    await Promise.all((await registry.rollouts({ model })).map((r) => summarizeRollout(r, refOf))),
  );
  return {
    kind: 'model',
    meta: metaOf(registry, now),
    model: { name: model, description: summary?.description ?? null, createdAt: summary?.createdAt ?? null },
    champion: summary?.champion ?? null,
    versions,
    tableMetrics,
    series,
    championHistory,
    championBands,
    rollouts,
    gateRuns,
  };
}
