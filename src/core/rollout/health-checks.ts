import type { HealthCheckSpec } from '../config/index.js';
import type { Exec } from '../../ports/exec.js';

/**
 * pass/fail: the check ran and decided. inconclusive: it ran but there was nothing to decide on
 * (empty result, NaN) — it blocks advancing but never aborts. error: it could not be evaluated at
 * all (server unreachable, bad query, timeout) — also blocks without aborting.
 */
export type HealthCheckStatus = 'pass' | 'fail' | 'inconclusive' | 'error';

/** The outcome of one rollout health check (a gate's checks are GateHealthCheckResult). */
export interface HealthCheckResult {
  name: string;
  /** compare: candidate vs champion on live counts; its result carries more (compare-check.ts). */
  kind: 'prometheus' | 'command' | 'compare';
  status: HealthCheckStatus;
  value: number | null;
  min: number | null;
  max: number | null;
  detail: string;
}

export interface HealthCheckContext {
  /** Loaded on first use: most stage changes run no command. */
  exec(): Promise<Exec>;
  /** Global fetch; injected so core code stays free of ambient I/O. */
  fetch: typeof fetch;
  cwd: string;
}

export interface HealthCheckVars {
  model: string;
  version: number;
  champion: number | null;
  stage: string;
}

function bounds(value: number, min: number | undefined, max: number | undefined): { ok: boolean; why: string } {
  if (min !== undefined && value < min) return { ok: false, why: `${value} < min ${min}` };
  if (max !== undefined && value > max) return { ok: false, why: `${value} > max ${max}` };
  const parts = [min !== undefined ? `≥ ${min}` : '', max !== undefined ? `≤ ${max}` : ''].filter(Boolean);
  return { ok: true, why: parts.length ? `${value} ${parts.join(' and ')}` : `${value}` };
}

/** `{model}`, `{version}`, `{champion}`, `{stage}` in queries and command lines (values are validated names and numbers). */
export function expand(template: string, v: HealthCheckVars): string {
  return template.replace(/\{(model|version|champion|stage)\}/g, (_, k: keyof HealthCheckVars) => String(v[k] ?? ''));
}

async function prometheusCheck(
  ctx: HealthCheckContext,
  name: string,
  spec: Extract<HealthCheckSpec, { prometheus: unknown }>['prometheus'],
  vars: HealthCheckVars,
): Promise<HealthCheckResult> {
  const base: Omit<HealthCheckResult, 'status' | 'value' | 'detail'> = {
    name,
    kind: 'prometheus',
    min: spec.min ?? null,
    max: spec.max ?? null,
  };
  const query = expand(spec.query, vars);
  const url = `${spec.url.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
  const timeoutMs = spec.timeoutMs;
  let body: { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };
  try {
    const res = await ctx.fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
    });
    const text = await res.text();
    try {
      body = JSON.parse(text);
    } catch {
      return { ...base, status: 'error', value: null, detail: `${spec.url} answered HTTP ${res.status} with no JSON` };
    }
    if (!res.ok || body.status !== 'success')
      return {
        ...base,
        status: 'error',
        value: null,
        detail: `${spec.url} answered HTTP ${res.status}: ${body.error ?? body.status ?? 'error'}`,
      };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why =
      e.name === 'TimeoutError' ? `no answer within ${spec.timeout}` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { ...base, status: 'error', value: null, detail: `cannot query ${spec.url}: ${why}` };
  }
  const { resultType, result } = body.data ?? {};
  let raw: string | undefined;
  if (resultType === 'scalar') raw = (result as [number, string])[1];
  else if (resultType === 'vector') {
    const series = result as Array<{ value: [number, string] }>;
    if (series.length === 0)
      return {
        ...base,
        status: 'inconclusive',
        value: null,
        detail: 'the query returned no series (no traffic yet, or a wrong label?)',
      };
    if (series.length > 1)
      return {
        ...base,
        status: 'inconclusive',
        value: null,
        detail: `the query returned ${series.length} series; aggregate it to one (sum, avg, max)`,
      };
    raw = series[0]!.value[1];
  } else
    return {
      ...base,
      status: 'error',
      value: null,
      detail: `the query returned a ${resultType ?? 'unknown'} result; use an instant vector or scalar expression`,
    };
  const value = Number(raw);
  if (!Number.isFinite(value))
    return {
      ...base,
      status: 'inconclusive',
      value: null,
      detail: `the query returned ${raw} (e.g. 0/0 without traffic)`,
    };
  const b = bounds(value, spec.min, spec.max);
  return { ...base, status: b.ok ? 'pass' : 'fail', value, detail: b.why };
}

async function commandCheck(
  ctx: HealthCheckContext,
  name: string,
  spec: Extract<HealthCheckSpec, { command: string }>,
  vars: HealthCheckVars,
): Promise<HealthCheckResult> {
  const base: Omit<HealthCheckResult, 'status' | 'value' | 'detail'> = {
    name,
    kind: 'command',
    min: spec.min ?? null,
    max: spec.max ?? null,
  };
  const timeoutMs = spec.timeoutMs;
  const r = await (
    await ctx.exec()
  ).shell(expand(spec.command, vars), {
    cwd: ctx.cwd,
    timeoutMs,
    env: {
      MLCTL_MODEL: vars.model,
      MLCTL_VERSION: String(vars.version),
      MLCTL_CHAMPION: vars.champion === null ? '' : String(vars.champion),
      MLCTL_STAGE: vars.stage,
    },
  });
  const lastErr = r.stderr.trim().split('\n').pop() ?? '';
  if (r.timedOut) return { ...base, status: 'error', value: null, detail: `timed out after ${spec.timeout}` };
  if (r.exitCode === null) return { ...base, status: 'error', value: null, detail: 'killed by a signal' };
  // 127/126: the command itself could not be run — that is not a verdict on the model.
  if (r.exitCode === 127 || r.exitCode === 126)
    return { ...base, status: 'error', value: null, detail: `could not run: ${lastErr || `exit ${r.exitCode}`}` };
  if (r.exitCode !== 0)
    return { ...base, status: 'fail', value: null, detail: `exit ${r.exitCode}${lastErr ? `: ${lastErr}` : ''}` };
  const out = r.stdout.trim();
  if (spec.min === undefined && spec.max === undefined)
    return { ...base, status: 'pass', value: null, detail: 'exit 0' };
  let value: number;
  try {
    const j = JSON.parse(out.split('\n').pop() ?? '') as { value?: unknown };
    if (j.value === null) return { ...base, status: 'inconclusive', value: null, detail: 'printed {"value": null}' };
    value = typeof j.value === 'number' ? j.value : Number.NaN;
  } catch {
    return {
      ...base,
      status: 'error',
      value: null,
      detail: `has min/max but did not print {"value": <number>} as its last line of output`,
    };
  }
  if (!Number.isFinite(value))
    return { ...base, status: 'inconclusive', value: null, detail: 'value is not a finite number' };
  const b = bounds(value, spec.min, spec.max);
  return { ...base, status: b.ok ? 'pass' : 'fail', value, detail: b.why };
}

type Runner = (
  ctx: HealthCheckContext,
  name: string,
  spec: HealthCheckSpec,
  vars: HealthCheckVars,
) => Promise<HealthCheckResult>;

type ThresholdKind = Exclude<HealthCheckResult['kind'], 'compare'>;

/** Each threshold check kind and how it runs; compare checks need the registry (evaluate.ts). */
const RUNNERS: Record<ThresholdKind, Runner> = {
  prometheus: (ctx, name, spec, vars) =>
    prometheusCheck(ctx, name, (spec as Extract<HealthCheckSpec, { prometheus: unknown }>).prometheus, vars),
  command: (ctx, name, spec, vars) =>
    commandCheck(ctx, name, spec as Extract<HealthCheckSpec, { command: string }>, vars),
};

export const healthCheckKind = (spec: HealthCheckSpec): HealthCheckResult['kind'] =>
  'prometheus' in spec ? 'prometheus' : 'compare' in spec ? 'compare' : 'command';

/** Run the named threshold checks in parallel (they are independent queries/commands). */
export async function runHealthChecks(
  ctx: HealthCheckContext,
  specs: Record<string, HealthCheckSpec>,
  names: string[],
  vars: HealthCheckVars,
): Promise<HealthCheckResult[]> {
  return Promise.all(
    names.map((name) => {
      const spec = specs[name]!;
      const kind = healthCheckKind(spec);
      if (kind === 'compare') throw new Error(`compare check ${name} given to runHealthChecks`);
      return RUNNERS[kind](ctx, name, spec, vars);
    }),
  );
}
