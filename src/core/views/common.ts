/**
 * View models: plain data for the HTML report and `mlctl ui`, built from the registry. Everything a
 * page shows is decided here (which champion a version faced, deltas, stage times); renderers only
 * draw and escape. Every registry call is awaited: the Registry port is becoming asynchronous.
 */
import { describeStage } from '../rollout/stages.js';
import type { GateRunRecord, Registry, RolloutRecord } from '../../ports/registry.js';

/** Where a view came from and when, printed in every page's footer. */
export interface ViewMeta {
  generatedAt: string;
  registry: string;
}

export interface GateRunSummary {
  id: number;
  candidate: string;
  baseline: string | null;
  verdict: GateRunRecord['verdict'];
  source: GateRunRecord['source'];
  at: string;
  actor: string;
  /** Checks by verdict, when the stored report has them. */
  summary: Partial<Record<'pass' | 'fail' | 'warn' | 'skip' | 'inconclusive', number>> | null;
  /** The run kept ROC and precision–recall curves (recorded from predictions). */
  hasCurves: boolean;
}

export interface RolloutSummary {
  id: number;
  candidate: string;
  champion: string | null;
  state: RolloutRecord['state'];
  plan: string;
  /** 1-based step reached, of `steps`. */
  step: number;
  steps: number;
  stage: string;
  startedAt: string;
  startedBy: string;
  endedAt: string | null;
  outcome: string | null;
}

export function metaOf(registry: Registry, now: Date): ViewMeta {
  return { generatedAt: now.toISOString(), registry: registry.location };
}

/** `model@version` of a version id, with a cache: views name the same few versions many times. */
export function refNamer(registry: Registry): (id: number | null) => Promise<string | null> {
  const cache = new Map<number, string | null>();
  return async (id) => {
    if (id === null) return null;
    if (!cache.has(id)) {
      const v = await registry.getVersionById(id);
      cache.set(id, v ? `${v.model}@${v.version}` : null);
    }
    return cache.get(id)!;
  };
}

export async function summarizeGateRun(
  g: GateRunRecord,
  refOf: (id: number | null) => Promise<string | null>,
): Promise<GateRunSummary> {
  const report = (g.report ?? {}) as { summary?: GateRunSummary['summary']; curves?: unknown };
  return {
    id: g.id,
    candidate: (await refOf(g.candidateId)) ?? `version #${g.candidateId}`,
    baseline: await refOf(g.baselineId),
    verdict: g.verdict,
    source: g.source,
    at: g.at,
    actor: g.actor,
    summary: report.summary && typeof report.summary === 'object' ? report.summary : null,
    hasCurves: !!report.curves,
  };
}

export async function summarizeRollout(
  r: RolloutRecord,
  refOf: (id: number | null) => Promise<string | null>,
): Promise<RolloutSummary> {
  return {
    id: r.id,
    candidate: (await refOf(r.candidateId)) ?? `version #${r.candidateId}`,
    champion: await refOf(r.championId),
    state: r.state,
    plan: r.planName,
    step: r.step + 1,
    steps: r.plan.length,
    stage: r.plan[r.step] ? describeStage(r.plan[r.step]!) : '?',
    startedAt: r.startedAt,
    startedBy: r.startedBy,
    endedAt: r.endedAt,
    outcome: r.outcome,
  };
}

/** Open rollouts first, then the rest newest first. */
export function openFirst<T extends { state: string; id: number }>(rs: T[]): T[] {
  const open = (s: string) => s === 'active' || s === 'paused';
  return [...rs].sort((a, b) => Number(open(b.state)) - Number(open(a.state)) || b.id - a.id);
}
