import { UsageError } from '../errors.js';
import { formatRef } from '../refs.js';
import type { Registry } from '../../ports/registry.js';
import type { CapacitySpec } from '../config/capacity.js';
import { exact, toNumber, type Exact } from './exact.js';
import type { StageSizing } from './per-stage.js';
import { instantValue } from './prometheus.js';
import { peakFromTraffic, type Traffic } from './sizing.js';

/** Where the peak comes from: a number, Prometheus, or (calculator only) daily users. */
export type PeakSpec = CapacitySpec['peakQps'] | { traffic: Traffic };
export type ThroughputSpec = CapacitySpec['qpsPerReplica'];
/** A capacity configuration with the calculator's extra peak source. */
export type EffectiveCapacity = Omit<CapacitySpec, 'peakQps'> & { peakQps: PeakSpec };

export interface VersionRef {
  id: number;
  version: number;
}

export interface ResolvedCapacity extends StageSizing {
  peak: Exact;
  /** The peak as a double, for display and JSON (sizing uses `peak`). */
  peakQps: number;
  peakSource: 'number' | 'prometheus' | 'traffic';
  maxReplicas?: number;
  scaleDownAfterMs: number;
  /** Versions sized with an assumed throughput: record these (a warning, an audit event). */
  assumed: Array<{ version: number; qpsPerReplica: number }>;
}

/** The peak QPS; `{model}` in a Prometheus query is the model's name. */
export async function resolvePeak(
  p: PeakSpec,
  model: string,
  fetchFn: typeof fetch,
): Promise<{ peak: Exact; source: ResolvedCapacity['peakSource'] }> {
  if ('qps' in p) return { peak: exact(p.qps), source: 'number' };
  if ('traffic' in p) return { peak: peakFromTraffic(p.traffic), source: 'traffic' };
  const query = p.prometheus.query.replace(/\{model\}/g, model);
  return { peak: exact(await instantValue(fetchFn, { ...p.prometheus, query })), source: 'prometheus' };
}

/**
 * QPS per replica of one version: the configured number, or the version's own registered metric
 * (overall, not a slice). A version without it is refused unless `assume` is given.
 */
export async function versionThroughput(
  q: ThroughputSpec,
  registry: Registry,
  model: string,
  v: VersionRef,
  assume?: number,
): Promise<{ qps: number; assumed: boolean }> {
  if ('qps' in q) return { qps: q.qps, assumed: false };
  const found = (await registry.metrics(v.id)).find((m) => m.name === q.metric && m.slice === null);
  const ref = formatRef(model, v.version);
  if (found && found.value > 0) return { qps: found.value, assumed: false };
  if (assume !== undefined) return { qps: assume, assumed: true };
  throw new UsageError(
    found
      ? `${ref}: its metric ${q.metric} is ${found.value}; sizing needs a throughput above 0 (or pass --assume-qps-per-replica N)`
      : `${ref} was registered without the metric ${q.metric} (serving.${model}.capacity.qps_per_replica sizes each version with its own); register a version that reports it, or pass --assume-qps-per-replica N`,
  );
}

/** Everything a rollout (or `mlctl capacity <ref>`) needs to size both sides at every stage. */
export async function resolveCapacity(
  spec: EffectiveCapacity,
  input: {
    model: string;
    registry: Registry;
    candidate: VersionRef;
    champion: VersionRef | null;
    fetch: typeof fetch;
    assumeQpsPerReplica?: number;
  },
): Promise<ResolvedCapacity> {
  const { model, registry } = input;
  const cand = await versionThroughput(spec.qpsPerReplica, registry, model, input.candidate, input.assumeQpsPerReplica);
  const champ = input.champion
    ? await versionThroughput(spec.qpsPerReplica, registry, model, input.champion, input.assumeQpsPerReplica)
    : null;
  const { peak, source } = await resolvePeak(spec.peakQps, model, input.fetch);
  const assumed: ResolvedCapacity['assumed'] = [];
  if (cand.assumed) assumed.push({ version: input.candidate.version, qpsPerReplica: cand.qps });
  if (champ?.assumed) assumed.push({ version: input.champion!.version, qpsPerReplica: champ.qps });
  return {
    peak,
    peakQps: toNumber(peak),
    peakSource: source,
    headroom: spec.headroom,
    minReplicas: spec.minReplicas,
    ...(spec.maxReplicas !== undefined ? { maxReplicas: spec.maxReplicas } : {}),
    scaleDownAfterMs: spec.scaleDownAfterMs,
    qpsPerReplica: { candidate: cand.qps, champion: champ ? champ.qps : null },
    assumed,
  };
}
