import type { CompareLookInput, CompareLookRecord } from '../../ports/registry.js';

/**
 * The compare_looks table (migration 7) as both SQL backends store it: one column list, one way to
 * turn a look into a row and back, so SQLite, PostgreSQL and whole-registry copies agree.
 */
export const COMPARE_LOOK_COLUMNS = [
  'rollout_id',
  'step',
  'check_name',
  'at',
  'actor',
  'cand_events',
  'cand_trials',
  'champ_events',
  'champ_trials',
  'estimate',
  'radius',
  'lower_bound',
  'upper_bound',
  'run_lower',
  'run_upper',
  'counted',
  'verdict',
  'better',
  'margin',
  'alpha',
  'tau',
  'min_trials',
] as const;

export function compareLookRow(l: CompareLookInput): Array<string | number | null> {
  return [
    l.rolloutId,
    l.step,
    l.check,
    l.at,
    l.actor,
    l.candidate.events,
    l.candidate.trials,
    l.champion.events,
    l.champion.trials,
    l.estimate,
    l.radius,
    l.lower,
    l.upper,
    l.runLower,
    l.runUpper,
    l.counted ? 1 : 0,
    l.verdict,
    l.better,
    l.margin,
    l.alpha,
    l.tau,
    l.minTrials,
  ];
}

type Row = Record<string, unknown>;

/** pg returns BIGINT as text; SQLite gives numbers. */
const n = (v: unknown): number => (typeof v === 'string' ? Number(v) : (v as number));
const nn = (v: unknown): number | null => (v === null || v === undefined ? null : n(v));

export function compareLookOf(r: Row): CompareLookRecord {
  return {
    id: n(r.id),
    rolloutId: n(r.rollout_id),
    step: n(r.step),
    check: r.check_name as string,
    at: r.at as string,
    actor: r.actor as string,
    candidate: { events: n(r.cand_events), trials: n(r.cand_trials) },
    champion: { events: n(r.champ_events), trials: n(r.champ_trials) },
    estimate: nn(r.estimate),
    radius: nn(r.radius),
    lower: nn(r.lower_bound),
    upper: nn(r.upper_bound),
    runLower: nn(r.run_lower),
    runUpper: nn(r.run_upper),
    counted: n(r.counted) === 1,
    verdict: r.verdict as CompareLookRecord['verdict'],
    better: r.better as CompareLookRecord['better'],
    margin: n(r.margin),
    alpha: n(r.alpha),
    tau: n(r.tau),
    minTrials: n(r.min_trials),
  };
}

/** WHERE clause and arguments of compareLooks(); `ph(i)` renders the i-th placeholder (? or $i). */
export function compareLookQuery(
  q: { rolloutId: number; step?: number; check?: string },
  ph: (i: number) => string,
): { sql: string; args: unknown[] } {
  const args: unknown[] = [q.rolloutId];
  const where = [`rollout_id = ${ph(1)}`];
  if (q.step !== undefined) {
    args.push(q.step);
    where.push(`step = ${ph(args.length)}`);
  }
  if (q.check !== undefined) {
    args.push(q.check);
    where.push(`check_name = ${ph(args.length)}`);
  }
  return { sql: `SELECT * FROM compare_looks WHERE ${where.join(' AND ')} ORDER BY id`, args };
}
