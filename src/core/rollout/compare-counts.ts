import { parseDuration } from '../util/duration.js';
import type { CompareSource } from './compare-check-config.js';
import type { HealthCheckContext } from './health-checks.js';
import type { LookCounts } from '../../ports/registry.js';

/**
 * The live counts of a compare check, read from its source: Prometheus (two queries per side) or a
 * command (one JSON line). Nothing here judges them; compare-check.ts does.
 */

export type CountsReading =
  | { kind: 'counts'; candidate: LookCounts; champion: LookCounts }
  /** The source answered but had nothing to count yet (no series, NaN): the look is inconclusive. */
  | { kind: 'nodata'; detail: string }
  /** The source could not be read (unreachable, bad query, bad output): the check's status is error. */
  | { kind: 'error'; detail: string };

export interface CountsVars {
  model: string;
  candidate: number;
  champion: number;
  /** When the stage began (ISO): {since} for commands, the start of {window} for Prometheus. */
  since: string;
  /** Seconds since then, at least 1: Prometheus refuses an empty range. */
  windowSeconds: number;
}

type Scalar = { kind: 'value'; value: number } | { kind: 'nodata'; detail: string } | { kind: 'error'; detail: string };

/** One instant query, reduced to one number (or why there is none). */
async function instant(ctx: HealthCheckContext, base: string, query: string, timeout: string): Promise<Scalar> {
  const url = `${base.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
  let body: { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };
  try {
    const res = await ctx.fetch(url, {
      signal: AbortSignal.timeout(parseDuration(timeout, 'timeout')),
      headers: { accept: 'application/json' },
    });
    const text = await res.text();
    try {
      body = JSON.parse(text);
    } catch {
      return { kind: 'error', detail: `${base} answered HTTP ${res.status} with no JSON` };
    }
    if (!res.ok || body.status !== 'success')
      return { kind: 'error', detail: `${base} answered HTTP ${res.status}: ${body.error ?? body.status ?? 'error'}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why =
      e.name === 'TimeoutError' ? `no answer within ${timeout}` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { kind: 'error', detail: `cannot query ${base}: ${why}` };
  }
  const { resultType, result } = body.data ?? {};
  let raw: string;
  if (resultType === 'scalar') raw = (result as [number, string])[1];
  else if (resultType === 'vector') {
    const series = result as Array<{ value: [number, string] }>;
    if (series.length === 0) return { kind: 'nodata', detail: 'no series' };
    if (series.length > 1)
      return { kind: 'error', detail: `returned ${series.length} series; aggregate it to one with sum(…)` };
    raw = series[0]!.value[1];
  } else
    return { kind: 'error', detail: `returned a ${resultType ?? 'unknown'} result; use an instant vector or scalar` };
  const value = Number(raw);
  if (!Number.isFinite(value)) return { kind: 'nodata', detail: `returned ${raw}` };
  return { kind: 'value', value };
}

/** {model}, {version}, {window} in a query (values are validated names and numbers). */
const expandQuery = (q: string, v: { model: string; version: number; window: string }) =>
  q.replace(/\{(model|version|window)\}/g, (_, k: 'model' | 'version' | 'window') => String(v[k]));

async function fromPrometheus(
  ctx: HealthCheckContext,
  src: Extract<CompareSource, { kind: 'prometheus' }>,
  v: CountsVars,
): Promise<CountsReading> {
  const window = `${v.windowSeconds}s`;
  const sides = [
    ['candidate', v.candidate],
    ['champion', v.champion],
  ] as const;
  const asked = sides.flatMap(([side, version]) =>
    (['events', 'trials'] as const).map(async (what) => ({
      side,
      what,
      r: await instant(ctx, src.url, expandQuery(src[what], { model: v.model, version, window }), src.timeout),
    })),
  );
  const answers = await Promise.all(asked);
  const bad = answers.find((a) => a.r.kind === 'error');
  if (bad && bad.r.kind === 'error') return { kind: 'error', detail: `${bad.side} ${bad.what} query: ${bad.r.detail}` };
  const empty = answers.filter((a) => a.r.kind === 'nodata');
  if (empty.length)
    return {
      kind: 'nodata',
      detail: `no data yet: ${empty.map((a) => `${a.side} ${a.what} query ${a.r.kind === 'nodata' ? a.r.detail : ''}`).join(', ')}${
        empty.some((a) => a.what === 'events')
          ? ' (if there are simply no events yet, end the events query with "or vector(0)")'
          : ''
      }`,
    };
  const val = (side: string, what: string) => {
    const a = answers.find((x) => x.side === side && x.what === what)!.r as { value: number };
    // increase() extrapolates to the window's edges, so counters come back as fractions; a count is whole.
    return a.value < 0 ? a.value : Math.round(a.value);
  };
  return {
    kind: 'counts',
    candidate: { events: val('candidate', 'events'), trials: val('candidate', 'trials') },
    champion: { events: val('champion', 'events'), trials: val('champion', 'trials') },
  };
}

const EXPECTED = '{"candidate": {"events": E, "trials": N}, "champion": {"events": E, "trials": N}}';

/** The command's last line, as counts; anything else is an error naming what is wrong. */
export function parseCountsLine(stdout: string): CountsReading {
  const last = stdout.trim().split('\n').pop() ?? '';
  let j: unknown;
  try {
    j = JSON.parse(last);
  } catch {
    return {
      kind: 'error',
      detail: `did not print ${EXPECTED} as its last line (got ${JSON.stringify(last.slice(0, 80))})`,
    };
  }
  const side = (name: 'candidate' | 'champion'): LookCounts | string => {
    const s = (j as Record<string, unknown> | null)?.[name];
    if (s === null || typeof s !== 'object' || Array.isArray(s)) return `has no "${name}": { "events", "trials" }`;
    const { events, trials } = s as Record<string, unknown>;
    if (typeof events !== 'number' || typeof trials !== 'number')
      return `${name}.events and ${name}.trials must be numbers (got ${JSON.stringify(s)})`;
    return { events, trials };
  };
  const c = side('candidate');
  const h = side('champion');
  if (typeof c === 'string' || typeof h === 'string')
    return { kind: 'error', detail: `printed a last line that ${typeof c === 'string' ? c : h}; expected ${EXPECTED}` };
  return { kind: 'counts', candidate: c, champion: h };
}

async function fromCommand(
  ctx: HealthCheckContext,
  src: Extract<CompareSource, { kind: 'command' }>,
  v: CountsVars,
): Promise<CountsReading> {
  const line = src.command.replace(/\{(model|candidate|champion|since)\}/g, (_, k: keyof CountsVars) => String(v[k]));
  const r = await (
    await ctx.exec()
  ).shell(line, {
    cwd: ctx.cwd,
    timeoutMs: parseDuration(src.timeout, 'timeout'),
    env: {
      MLCTL_MODEL: v.model,
      MLCTL_CANDIDATE: String(v.candidate),
      MLCTL_CHAMPION: String(v.champion),
      MLCTL_SINCE: v.since,
    },
  });
  const lastErr = r.stderr.trim().split('\n').pop() ?? '';
  if (r.timedOut) return { kind: 'error', detail: `the command timed out after ${src.timeout}` };
  if (r.exitCode === null) return { kind: 'error', detail: 'the command was killed by a signal' };
  if (r.exitCode !== 0)
    return { kind: 'error', detail: `the command exited ${r.exitCode}${lastErr ? `: ${lastErr}` : ''}` };
  const parsed = parseCountsLine(r.stdout);
  return parsed.kind === 'error' ? { kind: 'error', detail: `the command ${parsed.detail}` } : parsed;
}

/** Read both sides' cumulative counts since the stage began. */
export function readCounts(ctx: HealthCheckContext, source: CompareSource, vars: CountsVars): Promise<CountsReading> {
  return source.kind === 'prometheus' ? fromPrometheus(ctx, source, vars) : fromCommand(ctx, source, vars);
}

/**
 * The champion's counts alone over the last `windowSeconds` (for planning, before any rollout: its
 * rate is the baseline p0 and its trials per second the model's request rate).
 */
export async function readChampionCounts(
  ctx: HealthCheckContext,
  source: CompareSource,
  vars: CountsVars,
): Promise<{ kind: 'counts'; champion: LookCounts } | { kind: 'nodata' | 'error'; detail: string }> {
  if (source.kind === 'command') {
    const r = await fromCommand(ctx, source, vars);
    return r.kind === 'counts' ? { kind: 'counts', champion: r.champion } : r;
  }
  const window = `${vars.windowSeconds}s`;
  const [events, trials] = await Promise.all(
    (['events', 'trials'] as const).map((what) =>
      instant(
        ctx,
        source.url,
        expandQuery(source[what], { model: vars.model, version: vars.champion, window }),
        source.timeout,
      ),
    ),
  );
  for (const [what, r] of [
    ['events', events!],
    ['trials', trials!],
  ] as const)
    if (r.kind !== 'value') return { kind: r.kind, detail: `champion ${what} query: ${r.detail}` };
  return {
    kind: 'counts',
    champion: {
      events: Math.round((events as { value: number }).value),
      trials: Math.round((trials as { value: number }).value),
    },
  };
}
