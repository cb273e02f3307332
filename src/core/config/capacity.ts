import type { Path, Shape } from './shape.js';

/**
 * `serving.<model>.capacity` in mlctl.yaml:
 *   peak_qps: 6944                      # or { prometheus: { url, query, timeout? } }
 *   qps_per_replica: 80                 # or { metric: qps_per_replica }: each version's own registered metric
 *   headroom: 0.5                       # share of each replica kept free, 0 ≤ h < 1
 *   min_replicas: 3                     # default 1
 *   max_replicas: 400                   # optional: a stage needing more in total is refused
 *   scaleDownAfter: 1h                  # default 1h: how long the old champion stays up after full
 */
export interface CapacitySpec {
  peakQps: { qps: number } | { prometheus: { url: string; query: string; timeout: string } };
  qpsPerReplica: { qps: number } | { metric: string };
  headroom: number;
  minReplicas: number;
  maxReplicas?: number;
  scaleDownAfter: string;
  scaleDownAfterMs: number;
}

const KEYS = ['peak_qps', 'qps_per_replica', 'headroom', 'min_replicas', 'max_replicas', 'scaleDownAfter'];
const MAX_REPLICAS = 100_000;
const METRIC_NAME = /^[A-Za-z0-9_.:/-]{1,128}$/;

function positive(sh: Shape, v: unknown, path: Path): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    sh.fail(path, `must be a number above 0, got ${JSON.stringify(v)}`);
  return v;
}

function whole(sh: Shape, v: unknown, path: Path, lo: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > MAX_REPLICAS)
    sh.fail(path, `must be a whole number from ${lo} to ${MAX_REPLICAS}, got ${JSON.stringify(v)}`);
  return v;
}

function readPeak(sh: Shape, v: unknown, path: Path): CapacitySpec['peakQps'] {
  if (typeof v === 'number') return { qps: positive(sh, v, path) };
  const m = sh.map(v, path, ['prometheus'], 'a number such as 6944 or { prometheus: { url, query } }');
  const p = sh.map(m.prometheus, [...path, 'prometheus'], ['url', 'query', 'timeout'], 'a mapping { url, query }');
  const url = sh.url(p.url, [...path, 'prometheus', 'url'], 'http://prometheus:9090');
  const timeout = p.timeout === undefined ? '10s' : sh.str(p.timeout, [...path, 'prometheus', 'timeout']);
  if (p.timeout !== undefined) sh.duration(p.timeout, [...path, 'prometheus', 'timeout']);
  return { prometheus: { url, query: sh.str(p.query, [...path, 'prometheus', 'query']), timeout } };
}

function readThroughput(sh: Shape, v: unknown, path: Path): CapacitySpec['qpsPerReplica'] {
  if (typeof v === 'number') return { qps: positive(sh, v, path) };
  const m = sh.map(v, path, ['metric'], 'a number such as 80 or { metric: qps_per_replica }');
  const metric = sh.str(m.metric, [...path, 'metric']);
  if (!METRIC_NAME.test(metric))
    sh.fail([...path, 'metric'], `invalid metric name ${JSON.stringify(metric)}; use letters, digits, _ . : / -`);
  return { metric };
}

/** `serving.<model>.capacity`: replicas per stage (issue 14); absent means mlctl writes no replica counts. */
export function readCapacity(sh: Shape, raw: unknown, model: string): CapacitySpec {
  const path = ['serving', model, 'capacity'];
  const m = sh.map(raw, path, KEYS, 'a mapping such as { peak_qps: 6944, qps_per_replica: 80, headroom: 0.5 }');
  for (const k of ['peak_qps', 'qps_per_replica', 'headroom'])
    if (m[k] === undefined) sh.fail([...path, k], 'is required');
  const headroom = m.headroom;
  if (typeof headroom !== 'number' || !Number.isFinite(headroom) || headroom < 0 || headroom >= 1)
    sh.fail(
      [...path, 'headroom'],
      `must be a share from 0 up to (not including) 1, such as 0.5, got ${JSON.stringify(headroom)}`,
    );
  const minReplicas = m.min_replicas === undefined ? 1 : whole(sh, m.min_replicas, [...path, 'min_replicas'], 1);
  const maxReplicas =
    m.max_replicas === undefined ? undefined : whole(sh, m.max_replicas, [...path, 'max_replicas'], minReplicas);
  const scaleDownAfter = m.scaleDownAfter === undefined ? '1h' : sh.str(m.scaleDownAfter, [...path, 'scaleDownAfter']);
  const scaleDownAfterMs =
    m.scaleDownAfter === undefined ? 3_600_000 : sh.duration(m.scaleDownAfter, [...path, 'scaleDownAfter']);
  return {
    peakQps: readPeak(sh, m.peak_qps, [...path, 'peak_qps']),
    qpsPerReplica: readThroughput(sh, m.qps_per_replica, [...path, 'qps_per_replica']),
    headroom,
    minReplicas,
    ...(maxReplicas !== undefined ? { maxReplicas } : {}),
    scaleDownAfter,
    scaleDownAfterMs,
  };
}

/**
 * `serving.<model>.deployments` (istio only): the Deployments whose `spec.replicas` mlctl may set.
 * Each version's Deployment is the listed one whose pod template carries `model-version: "<N>"`,
 * the label the DestinationRule's subsets select on.
 */
export function readDeployments(sh: Shape, raw: unknown, model: string, adapter: string): string[] {
  const path = ['serving', model, 'deployments'];
  if (adapter !== 'istio')
    sh.fail(path, `only the istio adapter scales Deployments; ${adapter} sets replicas in its own resources`);
  if (!Array.isArray(raw) || raw.length === 0)
    sh.fail(path, 'must be a list of Deployment names, such as [fraud-blue, fraud-green]');
  const names = raw.map((x, i) => sh.str(x, [...path, i]));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) sh.fail(path, `lists ${dup} twice`);
  return names;
}
