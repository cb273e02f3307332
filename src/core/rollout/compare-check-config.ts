import { UsageError } from '../errors.js';
import type { Better } from '../stats/confidence-sequence.js';
import { parseDuration } from '../util/duration.js';

/**
 * `rollout.checks.<name>.compare` from mlctl.yaml: a check that judges the candidate against the
 * champion on live counts (core/stats/confidence-sequence.ts). Checked by hand like the rest of the
 * rollout section (plan.ts), for the same start-up reason.
 */

export type CompareSource =
  /** Each query runs with {version} = the candidate's, then the champion's; {window} = time since the stage began. */
  | { kind: 'prometheus'; url: string; events: string; trials: string; timeout: string }
  /** Prints {"candidate": {"events", "trials"}, "champion": {…}} as its last line. */
  | { kind: 'command'; command: string; timeout: string };

export interface CompareCheckSpec {
  source: CompareSource;
  better: Better;
  margin: number;
  alpha: number;
  minTrials: number;
  tau: number;
  /** True when tau was not written and so is the margin (see below). */
  tauIsDefault: boolean;
  /** champion: the live champion's counts; baseline: a fresh copy of the champion at the candidate's weight. */
  against: 'champion' | 'baseline';
}

export const COMPARE_DEFAULTS = { alpha: 0.05, minTrials: 1000, against: 'champion' } as const;

/*
 * Default tau = margin. The mixture sequence is tightest (narrowest for the data it has seen) around
 * the moment its radius is about tau; that is the moment it can first say "worse by more than the
 * margin" for a clearly bad candidate or "within the margin" for a good one, both of which need a
 * radius of the order of the margin. So tau ≈ the difference you most want to detect quickly, and for
 * a non-inferiority check that difference is the margin. In simulation (5% canary, 0.5% errors,
 * margin 0.002) tau from 0.002 to 0.005 aborted a 2×-worse candidate and passed an equal one after the
 * same number of trials, while tau = 0.01 (the issue's example) took ~17% more for both, and 0.001
 * 17–33% more. With margin 0 there is no scale to borrow, so tau must then be written.
 */

const KEYS = ['prometheus', 'command', 'timeout', 'better', 'margin', 'alpha', 'min_trials', 'tau', 'against'];
const PROM_KEYS = ['url', 'events', 'trials', 'timeout'];

export interface YamlWhere {
  /** Label of the file in messages, e.g. mlctl.yaml. */
  file: string;
  /** Line of a value in the file (LocatedDoc.lineOf), when the caller parsed it with positions. */
  lineOf?: (path: ReadonlyArray<string | number>) => number | undefined;
}

/**
 * Validates the `compare:` mapping of check `check`. Every error is a UsageError naming the file, the
 * path (rollout.checks.<check>.compare.<key>) and, when `where.lineOf` is given, the line.
 */
export function readCompareCheck(value: unknown, check: string, where: YamlWhere): CompareCheckSpec {
  const base = ['rollout', 'checks', check, 'compare'];
  const fail = (path: Array<string | number>, message: string, linePath = path): never => {
    const line = where.lineOf?.(linePath);
    throw new UsageError(`${where.file}: ${path.join('.')}: ${message}${line ? ` (line ${line})` : ''}`);
  };
  const mapping = (v: unknown, path: Array<string | number>, keys: string[], example: string) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, `must be a mapping such as ${example}`);
    const m = v as Record<string, unknown>;
    for (const k of Object.keys(m))
      if (!keys.includes(k)) fail(path, `unknown key ${JSON.stringify(k)}; use ${keys.join(', ')}`, [...path, k]);
    return m;
  };
  const str = (v: unknown, path: Array<string | number>) => {
    if (typeof v !== 'string' || v.trim() === '') fail(path, `must be a non-empty string, got ${JSON.stringify(v)}`);
    return v as string;
  };
  const num = (v: unknown, path: Array<string | number>, ok: (x: number) => boolean, range: string) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, `must be a number ${range}, got ${JSON.stringify(v)}`);
    if (!ok(v as number)) fail(path, `must be ${range}, got ${String(v)}`);
    return v as number;
  };
  const duration = (v: unknown, path: Array<string | number>, dflt: string) => {
    if (v === undefined) return dflt;
    const text = str(v, path);
    try {
      parseDuration(text, 'timeout');
    } catch {
      fail(path, `invalid duration ${JSON.stringify(text)}; use e.g. 10s, 2m`);
    }
    return text;
  };

  const m = mapping(value, base, KEYS, '{ prometheus: { url, events, trials }, better: lower, margin: 0.002 }');
  let source: CompareSource;
  if (m.prometheus !== undefined && m.command !== undefined)
    fail(base, 'has both prometheus and command; keep the one the counts come from', [...base, 'command']);
  if (m.prometheus !== undefined) {
    if (m.timeout !== undefined)
      fail([...base, 'timeout'], 'a prometheus source keeps its timeout inside prometheus: { … }');
    const pp = [...base, 'prometheus'];
    const p = mapping(m.prometheus, pp, PROM_KEYS, '{ url: http://prometheus:9090, events: "…", trials: "…" }');
    const url = str(p.url, [...pp, 'url']);
    if (!/^https?:\/\/[^\s/]+/.test(url))
      fail([...pp, 'url'], `must be a URL such as http://prometheus:9090, got ${JSON.stringify(url)}`);
    const query = (k: 'events' | 'trials') => {
      const q = str(p[k], [...pp, k]);
      if (!q.includes('{version}'))
        fail(
          [...pp, k],
          'must contain {version}: it runs once for the candidate and once for the champion, and without it both sides would be the same series',
        );
      return q;
    };
    source = {
      kind: 'prometheus',
      url,
      events: query('events'),
      trials: query('trials'),
      timeout: duration(p.timeout, [...pp, 'timeout'], '10s'),
    };
  } else if (m.command !== undefined) {
    source = {
      kind: 'command',
      command: str(m.command, [...base, 'command']),
      timeout: duration(m.timeout, [...base, 'timeout'], '5m'),
    };
  } else {
    return fail(
      base,
      'needs a source of counts: prometheus: { url, events, trials } or command: "./live-counts.sh {model} {candidate} {champion} {since}"',
    );
  }

  if (m.better === undefined) fail(base, 'needs better: lower (errors, latency) or better: higher (conversions)');
  if (m.better !== 'lower' && m.better !== 'higher')
    fail([...base, 'better'], `must be lower or higher, got ${JSON.stringify(m.better)}`);
  if (m.margin === undefined)
    fail(base, 'needs margin: how much worse the candidate may be, as an absolute proportion (e.g. 0.002)');
  const margin = num(m.margin, [...base, 'margin'], (x) => x >= 0 && x < 1, 'from 0 (inclusive) to 1');
  const alpha =
    m.alpha === undefined
      ? COMPARE_DEFAULTS.alpha
      : num(m.alpha, [...base, 'alpha'], (x) => x > 0 && x <= 0.5, 'in (0, 0.5]');
  const minTrials =
    m.min_trials === undefined
      ? COMPARE_DEFAULTS.minTrials
      : num(m.min_trials, [...base, 'min_trials'], (x) => Number.isInteger(x) && x >= 1, 'a whole number ≥ 1');
  let tau: number;
  if (m.tau !== undefined) tau = num(m.tau, [...base, 'tau'], (x) => x > 0 && x <= 1, 'in (0, 1]');
  else if (margin > 0) tau = margin;
  else
    return fail(
      base,
      'margin is 0, so tau has no default; set tau to the smallest difference worth catching quickly (e.g. 0.002)',
      [...base, 'margin'],
    );
  if (m.against !== undefined && m.against !== 'champion' && m.against !== 'baseline')
    fail([...base, 'against'], `must be champion or baseline, got ${JSON.stringify(m.against)}`);
  return {
    source,
    better: m.better as Better,
    margin,
    alpha,
    minTrials,
    tau,
    tauIsDefault: m.tau === undefined,
    against: (m.against as 'champion' | 'baseline' | undefined) ?? COMPARE_DEFAULTS.against,
  };
}
