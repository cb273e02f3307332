import { NotFoundError } from '../errors.js';
import { describeStage, formatDuration } from '../rollout/stages.js';
import { metaOf, refNamer, type ViewMeta } from './common.js';
import type { CompareLookRecord, RolloutRecord, Registry } from '../../ports/registry.js';

export interface StageRow {
  /** 0-based plan step. */
  index: number;
  stage: string;
  kind: 'shadow' | 'canary' | 'ramp' | 'full';
  minDuration: string;
  checks: string[];
  auto: boolean;
  enteredAt: string | null;
  /** When the next stage began, or the rollout ended while in this one. */
  leftAt: string | null;
  commit: string | null;
  by: string | null;
  forced: boolean;
  reason: string | null;
  status: 'done' | 'current' | 'pending' | 'aborted' | 'skipped';
}

export interface CheckRun {
  at: string;
  actor: string;
  stage: string | null;
  results: Array<{ name: string; status: string; value: number | null; detail: string }>;
}

export interface RolloutEventRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  detail: string;
  commit: string | null;
}

/** One evaluation ("look") of a live compare check: the interval for d = how much worse the candidate is. */
export interface CompareLook {
  at: string;
  estimate: number;
  lower: number;
  upper: number;
  margin: number;
  verdict: 'pass' | 'fail' | 'inconclusive';
}

export interface CompareCheckSeries {
  name: string;
  /** The stage the looks were taken in (a new stage starts a new series). */
  stage: string | null;
  looks: CompareLook[];
}

export interface RolloutPageView {
  kind: 'rollout';
  meta: ViewMeta;
  id: number;
  model: string;
  candidate: string;
  champion: string | null;
  state: RolloutRecord['state'];
  plan: string;
  outcome: string | null;
  adr: string | null;
  gateRunId: number | null;
  startedAt: string;
  startedBy: string;
  endedAt: string | null;
  updatedAt: string;
  stages: StageRow[];
  checkRuns: CheckRun[];
  events: RolloutEventRow[];
  /**
   * Live compare checks (candidate vs champion on live traffic): their confidence intervals over
   * time. Optional: filled once rollouts record compare-check looks; pages draw it when present.
   */
  compareChecks?: CompareCheckSeries[];
}

const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);

function detailOf(action: string, p: Record<string, unknown>): string {
  switch (action) {
    case 'rollout.start':
      return `started at ${str(p.stage) ?? '?'}${p.forced ? ' (forced)' : ''}${p.reason ? `: ${String(p.reason)}` : ''}`;
    case 'rollout.stage':
      return `${str(p.from) ?? '?'} → ${str(p.to) ?? '?'}${p.forced ? ' (forced)' : ''}${p.reason ? `: ${String(p.reason)}` : ''}`;
    case 'rollout.check':
      return (Array.isArray(p.results) ? (p.results as Array<{ name?: unknown; status?: unknown }>) : [])
        .map((r) => `${String(r.name)} ${String(r.status)}`)
        .join(', ');
    case 'rollout.abort':
      return `aborted at ${str(p.at) ?? '?'}${p.reason ? `: ${String(p.reason)}` : ''}`;
    case 'rollout.complete':
      return 'completed';
    case 'champion.set':
      return `champion → ${String(p.version)}${p.reason ? `: ${String(p.reason)}` : ''}`;
    default:
      return p.reason ? String(p.reason) : (str(p.what) ?? str(p.stage) ?? '');
  }
}

export async function buildRolloutView(registry: Registry, id: number, now: Date): Promise<RolloutPageView> {
  const r = await registry.getRollout(id);
  if (!r)
    throw new NotFoundError(`rollout ${id} does not exist; mlctl rollout status <model> lists a model's rollouts`);
  const refOf = refNamer(registry);
  const candidate = (await refOf(r.candidateId)) ?? `version #${r.candidateId}`;
  // events() is newest first; the rollout's own events carry its id.
  const events = (await registry.events({ subject: candidate }))
    .filter((e) => (e.payload as { rollout?: unknown } | null)?.rollout === r.id)
    .reverse();

  const stages: StageRow[] = r.plan.map((s, index) => ({
    index,
    stage: describeStage(s),
    kind: s.stage,
    minDuration: formatDuration(s.minDurationMs) || '0s',
    checks: [...s.checks],
    auto: s.auto,
    enteredAt: null,
    leftAt: null,
    commit: null,
    by: null,
    forced: false,
    reason: null,
    status: 'pending',
  }));
  const enter = (i: number, at: string, p: Record<string, unknown>, actor: string) => {
    const row = stages[i];
    if (!row) return;
    for (const prev of stages) if (prev.index !== i && prev.enteredAt && !prev.leftAt) prev.leftAt = at;
    Object.assign(row, {
      enteredAt: at,
      leftAt: null,
      commit: str(p.commit),
      by: actor,
      forced: !!p.forced,
      reason: str(p.reason),
    });
  };
  const checkRuns: CheckRun[] = [];
  for (const e of events) {
    const p = (e.payload ?? {}) as Record<string, unknown>;
    if (e.action === 'rollout.start') enter(0, e.at, p, e.actor);
    else if (e.action === 'rollout.stage' && typeof p.step === 'number') enter(p.step, e.at, p, e.actor);
    else if (e.action === 'rollout.check')
      checkRuns.push({
        at: e.at,
        actor: e.actor,
        stage: str(p.stage),
        results: (Array.isArray(p.results) ? (p.results as CheckRun['results']) : []).map((x) => ({
          name: String(x.name),
          status: String(x.status),
          value: typeof x.value === 'number' ? x.value : null,
          detail: typeof x.detail === 'string' ? x.detail : '',
        })),
      });
  }
  const ended = r.state === 'completed' || r.state === 'aborted';
  for (const s of stages) {
    if (s.index < r.step) s.status = s.enteredAt ? 'done' : 'skipped';
    else if (s.index === r.step) {
      s.status = r.state === 'aborted' ? 'aborted' : r.state === 'completed' ? 'done' : 'current';
      if (ended && !s.leftAt) s.leftAt = r.endedAt;
    }
  }
  const compareChecks = compareSeries(r, await registry.compareLooks({ rolloutId: r.id }));
  return {
    kind: 'rollout',
    meta: metaOf(registry, now),
    id: r.id,
    model: r.model,
    candidate,
    champion: await refOf(r.championId),
    state: r.state,
    plan: r.planName,
    outcome: r.outcome,
    adr: r.adr,
    gateRunId: r.gateRunId,
    startedAt: r.startedAt,
    startedBy: r.startedBy,
    endedAt: r.endedAt,
    updatedAt: r.updatedAt,
    stages,
    checkRuns,
    events: events.map((e) => {
      const p = (e.payload ?? {}) as Record<string, unknown>;
      return {
        seq: e.seq,
        at: e.at,
        actor: e.actor,
        action: e.action,
        detail: detailOf(e.action, p),
        commit: str(p.commit),
      };
    }),
    ...(compareChecks.length ? { compareChecks } : {}),
  };
}

/** One series per check and stage, of the looks that counted, with the running interval each was decided on. */
function compareSeries(r: RolloutRecord, looks: CompareLookRecord[]): CompareCheckSeries[] {
  const series = new Map<string, CompareCheckSeries>();
  for (const l of looks) {
    if (!l.counted || l.estimate === null || l.runLower === null || l.runUpper === null) continue;
    const key = `${l.step}\u0000${l.check}`;
    let s = series.get(key);
    if (!s)
      series.set(
        key,
        (s = { name: l.check, stage: r.plan[l.step] ? describeStage(r.plan[l.step]!) : null, looks: [] }),
      );
    s.looks.push({
      at: l.at,
      estimate: l.estimate,
      lower: l.runLower,
      upper: l.runUpper,
      margin: l.margin,
      verdict: l.verdict,
    });
  }
  return [...series.values()];
}
