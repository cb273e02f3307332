import { SERVING_CAPABILITIES, TEXTPROTO_ADAPTERS } from '../serving/kinds.js';
import { readServing, type ServingSpec } from './serving.js';
import { readCompareCheck, type CompareCheckSpec } from '../rollout/compare-check-config.js';
import type { Path, Shape } from './shape.js';

export type StageName = 'shadow' | 'canary' | 'ramp' | 'full';

/** One stage of a plan as configured (frozen into the rollout's row when it starts). */
export interface StageSpec {
  stage: StageName;
  mirror?: number;
  weight?: number;
  minDuration?: string;
  minDurationMs: number;
  checks: string[];
  auto: boolean;
  /** Longest the stage may wait for its checks to pass before onTimeout applies (tick). */
  maxDuration?: string;
  maxDurationMs?: number;
  onTimeout?: StageTimeoutAction;
}

/** What `rollout tick` does with a stage whose checks have not passed by its maxDuration. */
export type StageTimeoutAction = 'hold' | 'abort';

/**
 * A rollout health check: a threshold on one number, read from Prometheus or printed by a command.
 * (Distinct from a gate check, which judges a candidate offline before any rollout.)
 */
export type HealthCheckSpec =
  | { prometheus: { url: string; query: string; min?: number; max?: number; timeout: string; timeoutMs: number } }
  | { command: string; min?: number; max?: number; timeout: string; timeoutMs: number }
  /** Candidate vs champion on live counts (core/rollout/compare-check.ts). */
  | { compare: CompareCheckSpec };

export interface RolloutConfig {
  serving: Record<string, ServingSpec>;
  plans: Record<string, StageSpec[]>;
  checks: Record<string, HealthCheckSpec>;
}

const STAGES = ['shadow', 'canary', 'ramp', 'full'] as const;

/** Works without configuration: shadow → canary 5% → ramp 25% → ramp 50% → full. */
export const STANDARD_PLAN = [
  { stage: 'shadow', mirror: 100, minDuration: '1h', checks: [] },
  { stage: 'canary', weight: 5, minDuration: '30m', checks: [] },
  { stage: 'ramp', weight: 25, minDuration: '30m', checks: [] },
  { stage: 'ramp', weight: 50, minDuration: '30m', checks: [] },
  { stage: 'full' },
] as const;

function readStage(sh: Shape, v: unknown, path: Path, checks: Record<string, HealthCheckSpec>): StageSpec {
  const m = sh.map(v, path, ['stage', 'mirror', 'weight', 'minDuration', 'maxDuration', 'onTimeout', 'checks', 'auto']);
  const st: StageSpec = {
    stage: sh.oneOf(m.stage, [...path, 'stage'], STAGES),
    ...(m.mirror !== undefined ? { mirror: sh.num(m.mirror, [...path, 'mirror'], Number.MIN_VALUE, 100) } : {}),
    ...(m.weight !== undefined ? { weight: sh.num(m.weight, [...path, 'weight'], 1, 99, true) } : {}),
    ...(m.minDuration !== undefined ? { minDuration: sh.str(m.minDuration, [...path, 'minDuration']) } : {}),
    minDurationMs: m.minDuration === undefined ? 0 : sh.duration(m.minDuration, [...path, 'minDuration']),
    checks: sh.strList(m.checks, [...path, 'checks']),
    auto: sh.bool(m.auto, [...path, 'auto'], false),
  };
  if (m.maxDuration !== undefined) {
    st.maxDuration = sh.str(m.maxDuration, [...path, 'maxDuration']);
    st.maxDurationMs = sh.duration(m.maxDuration, [...path, 'maxDuration']);
    st.onTimeout =
      m.onTimeout === undefined ? 'hold' : sh.oneOf(m.onTimeout, [...path, 'onTimeout'], ['hold', 'abort'] as const);
    if (st.maxDurationMs <= st.minDurationMs)
      sh.fail([...path, 'maxDuration'], `must be longer than minDuration (${st.minDuration ?? '0s'})`);
    if (!st.checks.length)
      sh.fail(
        [...path, 'maxDuration'],
        'limits how long the stage waits for its checks to pass, and this stage has none; add checks or remove it',
      );
  } else if (m.onTimeout !== undefined)
    sh.fail([...path, 'onTimeout'], 'applies only with maxDuration: <duration> on the same stage');
  if (st.stage === 'shadow' && st.mirror === undefined) sh.fail(path, 'a shadow stage needs mirror: <percent>');
  if ((st.stage === 'canary' || st.stage === 'ramp') && st.weight === undefined)
    sh.fail(path, `a ${st.stage} stage needs weight: <percent>`);
  if (st.stage === 'full' && (st.weight !== undefined || st.mirror !== undefined))
    sh.fail(path, 'full sends all traffic to the candidate; remove weight/mirror');
  st.checks.forEach((c, i) => {
    if (!(c in checks))
      sh.fail(path, `unknown check ${JSON.stringify(c)}; define it under rollout.checks`, [...path, 'checks', i]);
  });
  return st;
}

function readPlan(sh: Shape, v: unknown, path: Path, checks: Record<string, HealthCheckSpec>): StageSpec[] {
  if (!Array.isArray(v) || v.length === 0) sh.fail(path, 'must be a list of at least one stage');
  const stages = v.map((st, i) => readStage(sh, st, [...path, i], checks));
  if (stages[stages.length - 1]!.stage !== 'full') sh.fail(path, 'the last stage must be full');
  if (stages.slice(0, -1).some((st) => st.stage === 'full')) sh.fail(path, 'full must be the last stage');
  let last = 0;
  for (const [i, st] of stages.entries()) {
    if (st.weight !== undefined && st.weight < last)
      sh.fail([...path, i], `weights must not decrease (${st.weight} after ${last})`);
    last = st.weight ?? last;
  }
  return stages;
}

function readHealthCheck(sh: Shape, v: unknown, path: Path): HealthCheckSpec {
  const m = sh.map(v, path, ['prometheus', 'command', 'compare', 'min', 'max', 'timeout']);
  if (m.compare !== undefined) {
    const other = Object.keys(m).find((k) => k !== 'compare');
    if (other)
      sh.fail(path, `a compare check keeps its settings inside compare: { … }; remove ${other} here`, [...path, other]);
    const spec = readCompareCheck(m.compare, String(path[path.length - 1]), {
      file: sh.file,
      lineOf: (p) => sh.lineOf([...p]),
    });
    // Kayenta's fresh baseline needs a third route that no serving adapter writes yet.
    if (spec.against === 'baseline')
      sh.fail(
        [...path, 'compare', 'against'],
        "baseline (a fresh copy of the champion at the candidate's weight) is not written by any serving adapter yet; remove it to compare with the champion's live traffic",
      );
    return { compare: spec };
  }
  if (m.prometheus !== undefined) {
    if (m.command !== undefined || m.min !== undefined || m.max !== undefined || m.timeout !== undefined)
      sh.fail(path, 'a prometheus check keeps min, max and timeout inside prometheus: { … }');
    const p = sh.map(m.prometheus, [...path, 'prometheus'], ['url', 'query', 'min', 'max', 'timeout']);
    const timeout = p.timeout === undefined ? '10s' : sh.str(p.timeout, [...path, 'prometheus', 'timeout']);
    return {
      prometheus: {
        url: sh.url(p.url, [...path, 'prometheus', 'url'], 'http://prometheus:9090'),
        query: sh.str(p.query, [...path, 'prometheus', 'query']),
        min: sh.optNum(p.min, [...path, 'prometheus', 'min']),
        max: sh.optNum(p.max, [...path, 'prometheus', 'max']),
        timeout,
        timeoutMs: sh.duration(timeout, [...path, 'prometheus', 'timeout']),
      },
    };
  }
  if (m.command === undefined) sh.fail(path, 'needs prometheus: { url, query } or command: "…"');
  const timeout = m.timeout === undefined ? '5m' : sh.str(m.timeout, [...path, 'timeout']);
  return {
    command: sh.str(m.command, [...path, 'command']),
    min: sh.optNum(m.min, [...path, 'min']),
    max: sh.optNum(m.max, [...path, 'max']),
    timeout,
    timeoutMs: sh.duration(timeout, [...path, 'timeout']),
  };
}

/**
 * `serving:` and `rollout:` validated together: every plan ends at `full`, names only defined
 * checks, and suits each model's adapter (KServe cannot shadow).
 */
export function readRolloutConfig(sh: Shape, raw: { serving?: unknown; rollout?: unknown }): RolloutConfig {
  const serving = readServing(sh, raw.serving);
  const r =
    raw.rollout === undefined || raw.rollout === null ? {} : sh.map(raw.rollout, ['rollout'], ['plans', 'checks']);
  const checks: Record<string, HealthCheckSpec> = {};
  for (const [name, v] of Object.entries(sh.record(r.checks, ['rollout', 'checks'])))
    checks[name] = readHealthCheck(sh, v, ['rollout', 'checks', name]);
  const plans: Record<string, StageSpec[]> = {
    standard: readPlan(sh, STANDARD_PLAN, ['rollout', 'plans', 'standard'], checks),
  };
  for (const [name, v] of Object.entries(sh.record(r.plans, ['rollout', 'plans'])))
    plans[name] = readPlan(sh, v, ['rollout', 'plans', name], checks);
  for (const [model, s] of Object.entries(serving)) {
    const plan = plans[s.plan];
    if (!plan)
      sh.fail(
        ['serving', model, 'plan'],
        `unknown plan ${JSON.stringify(s.plan)}; define it under rollout.plans (or use standard)`,
      );
    // Model servers split and mirror nothing themselves: their router companion decides.
    if (!SERVING_CAPABILITIES[s.router?.adapter ?? s.adapter].shadow && plan.some((st) => st.stage === 'shadow'))
      sh.fail(
        ['serving', model],
        TEXTPROTO_ADAPTERS.includes(s.adapter)
          ? `plan ${s.plan} has a shadow stage, but ${s.adapter} mirrors no traffic itself; name a router: { adapter: istio, files: [...] }, or drop the shadow stage`
          : `plan ${s.plan} has a shadow stage, which ${s.adapter} cannot do on its own; use the istio adapter, or drop the shadow stage`,
      );
  }
  return { serving, plans, checks };
}
