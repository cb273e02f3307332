import { UsageError } from '../errors.js';
import { parseYamlDoc, pathText, readInputFile } from '../inputs/located-doc.js';
import { parseDuration } from '../util/duration.js';

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

type Path = Array<string | number>;

/**
 * Errors name the key and its line in mlctl.yaml. The line is looked up only when something is
 * wrong (re-reading the file then), so a valid configuration costs no second parse.
 */
class Checker {
  constructor(readonly file: string) {}
  fail(path: Path, message: string): never {
    let line: number | undefined;
    try {
      line = parseYamlDoc(readInputFile(this.file), this.file).lineOf(path);
    } catch {
      line = undefined; // the file is gone or unreadable: the key alone still says where
    }
    throw new UsageError(`${this.file}: ${pathText(path)}: ${message}${line ? ` (line ${line})` : ''}`);
  }
  map(v: unknown, path: Path, keys: readonly string[], example: string): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      this.fail(path, `must be a mapping such as ${example}`);
    for (const k of Object.keys(v))
      if (!keys.includes(k)) this.fail([...path, k], `unknown key ${JSON.stringify(k)}; use ${keys.join(', ')}`);
    return v as Record<string, unknown>;
  }
  positive(v: unknown, path: Path): number {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      this.fail(path, `must be a number above 0, got ${JSON.stringify(v)}`);
    return v;
  }
  whole(v: unknown, path: Path, lo: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > MAX_REPLICAS)
      this.fail(path, `must be a whole number from ${lo} to ${MAX_REPLICAS}, got ${JSON.stringify(v)}`);
    return v;
  }
  duration(v: unknown, path: Path, dflt: string): { text: string; ms: number } {
    const text = v === undefined ? dflt : this.str(v, path);
    try {
      return { text, ms: parseDuration(text, pathText(path)) };
    } catch {
      return this.fail(path, `must be a duration such as 30m, 1h or 1d, got ${JSON.stringify(text)}`);
    }
  }
  str(v: unknown, path: Path): string {
    if (typeof v !== 'string' || v.trim() === '') this.fail(path, 'must be a non-empty string');
    return v;
  }
}

function readPeak(c: Checker, v: unknown, path: Path): CapacitySpec['peakQps'] {
  if (typeof v === 'number') return { qps: c.positive(v, path) };
  const m = c.map(v, path, ['prometheus'], '6944 or { prometheus: { url, query } }');
  const p = c.map(m.prometheus, [...path, 'prometheus'], ['url', 'query', 'timeout'], '{ url, query }');
  const url = c.str(p.url, [...path, 'prometheus', 'url']);
  if (!/^https?:\/\/[^\s/]+/.test(url))
    c.fail([...path, 'prometheus', 'url'], `must be a URL such as http://prometheus:9090, got ${JSON.stringify(url)}`);
  const timeout = c.duration(p.timeout, [...path, 'prometheus', 'timeout'], '10s').text;
  return { prometheus: { url, query: c.str(p.query, [...path, 'prometheus', 'query']), timeout } };
}

function readThroughput(c: Checker, v: unknown, path: Path): CapacitySpec['qpsPerReplica'] {
  if (typeof v === 'number') return { qps: c.positive(v, path) };
  const m = c.map(v, path, ['metric'], '80 or { metric: qps_per_replica }');
  const metric = c.str(m.metric, [...path, 'metric']);
  if (!METRIC_NAME.test(metric))
    c.fail([...path, 'metric'], `invalid metric name ${JSON.stringify(metric)}; use letters, digits, _ . : / -`);
  return { metric };
}

/** Validate `serving.<model>.capacity`; `file` is mlctl.yaml's path (read again only to name a line). */
export function readCapacityConfig(raw: unknown, model: string, file: string): CapacitySpec {
  const c: Checker = new Checker(file);
  const path = ['serving', model, 'capacity'];
  const m = c.map(raw, path, KEYS, '{ peak_qps: 6944, qps_per_replica: 80, headroom: 0.5 }');
  for (const k of ['peak_qps', 'qps_per_replica', 'headroom'])
    if (m[k] === undefined) c.fail([...path, k], 'is required');
  const headroom = m.headroom;
  if (typeof headroom !== 'number' || !Number.isFinite(headroom) || headroom < 0 || headroom >= 1)
    c.fail(
      [...path, 'headroom'],
      `must be a share from 0 up to (not including) 1, such as 0.5, got ${JSON.stringify(headroom)}`,
    );
  const minReplicas = m.min_replicas === undefined ? 1 : c.whole(m.min_replicas, [...path, 'min_replicas'], 1);
  const maxReplicas =
    m.max_replicas === undefined ? undefined : c.whole(m.max_replicas, [...path, 'max_replicas'], minReplicas);
  const scaleDownAfter = c.duration(m.scaleDownAfter, [...path, 'scaleDownAfter'], '1h');
  return {
    peakQps: readPeak(c, m.peak_qps, [...path, 'peak_qps']),
    qpsPerReplica: readThroughput(c, m.qps_per_replica, [...path, 'qps_per_replica']),
    headroom,
    minReplicas,
    ...(maxReplicas !== undefined ? { maxReplicas } : {}),
    scaleDownAfter: scaleDownAfter.text,
    scaleDownAfterMs: scaleDownAfter.ms,
  };
}

/**
 * `serving.<model>.deployments` (istio only): the Deployments whose `spec.replicas` mlctl may set.
 * Each version's Deployment is the listed one whose pod template carries `model-version: "<N>"`,
 * the label the DestinationRule's subsets select on.
 */
export function readDeployments(raw: unknown, model: string, adapter: string, file: string): string[] {
  const c: Checker = new Checker(file);
  const path = ['serving', model, 'deployments'];
  if (adapter !== 'istio')
    c.fail(path, `only the istio adapter scales Deployments; ${adapter} sets replicas in its own resources`);
  if (!Array.isArray(raw) || raw.length === 0)
    c.fail(path, 'must be a list of Deployment names, such as [fraud-blue, fraud-green]');
  const names = raw.map((x, i) => c.str(x, [...path, i]));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) c.fail(path, `lists ${dup} twice`);
  return names;
}
