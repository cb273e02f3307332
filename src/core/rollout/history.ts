import { NotFoundError, UsageError } from '../errors.js';
import { checkModelName, formatRef } from '../refs.js';
import { describeStage } from './stages.js';
import type { CompareLookRecord, Registry, RolloutRecord } from '../../ports/registry.js';

/** One stored look of a compare check, as `rollout history` and the rollout page show it. */
export interface LookRow {
  id: number;
  at: string;
  actor: string;
  /** 1-based plan step and its description. */
  step: number;
  stage: string;
  check: string;
  candidate: { events: number; trials: number };
  champion: { events: number; trials: number };
  estimate: number | null;
  /** This look's own interval (null when it did not count). */
  interval: { lower: number; upper: number; radius: number } | null;
  /** The stage's running intersection after this look: what the verdict was decided on. */
  running: { lower: number; upper: number } | null;
  counted: boolean;
  verdict: CompareLookRecord['verdict'];
  params: { better: 'lower' | 'higher'; margin: number; alpha: number; tau: number; minTrials: number };
}

export interface RolloutHistory {
  model: string;
  rollout: number;
  candidate: string;
  champion: string | null;
  state: RolloutRecord['state'];
  looks: LookRow[];
}

export function lookRow(r: Pick<RolloutRecord, 'plan'>, l: CompareLookRecord): LookRow {
  return {
    id: l.id,
    at: l.at,
    actor: l.actor,
    step: l.step + 1,
    stage: r.plan[l.step] ? describeStage(r.plan[l.step]!) : `step ${l.step + 1}`,
    check: l.check,
    candidate: l.candidate,
    champion: l.champion,
    estimate: l.estimate,
    interval:
      l.lower !== null && l.upper !== null && l.radius !== null
        ? { lower: l.lower, upper: l.upper, radius: l.radius }
        : null,
    running: l.runLower !== null && l.runUpper !== null ? { lower: l.runLower, upper: l.runUpper } : null,
    counted: l.counted,
    verdict: l.verdict,
    params: { better: l.better, margin: l.margin, alpha: l.alpha, tau: l.tau, minTrials: l.minTrials },
  };
}

/** Every look of a model's latest rollout (or of rollout `id`), oldest first. */
export async function rolloutHistory(
  registry: Registry,
  model: string,
  opts: { rollout?: number } = {},
): Promise<RolloutHistory> {
  checkModelName(model);
  let r: RolloutRecord | undefined;
  if (opts.rollout !== undefined) {
    if (!Number.isInteger(opts.rollout) || opts.rollout < 1)
      throw new UsageError(`--rollout must be a rollout id (a whole number ≥ 1), got ${String(opts.rollout)}`);
    r = await registry.getRollout(opts.rollout);
    if (!r || r.model !== model)
      throw new NotFoundError(
        `${model} has no rollout ${opts.rollout}; mlctl rollout status ${model} lists its rollouts`,
      );
  } else {
    r = (await registry.rollouts({ model, limit: 1 }))[0];
    if (!r) throw new NotFoundError(`${model} has no rollouts; mlctl rollout status lists the rollouts in progress`);
  }
  const cand = await registry.getVersionById(r.candidateId);
  const champ = r.championId === null ? undefined : await registry.getVersionById(r.championId);
  return {
    model,
    rollout: r.id,
    candidate: cand ? formatRef(cand) : `version #${r.candidateId}`,
    champion: champ ? formatRef(champ) : null,
    state: r.state,
    looks: (await registry.compareLooks({ rolloutId: r.id })).map((l) => lookRow(r, l)),
  };
}

/** The last counted look of each check in each stage: the interval each stage's decision rests on. */
export function finalIntervals(
  r: Pick<RolloutRecord, 'plan'>,
  looks: CompareLookRecord[],
): Array<{
  stage: string;
  check: string;
  lower: number;
  upper: number;
  margin: number;
  verdict: string;
  looks: number;
}> {
  const last = new Map<string, { l: CompareLookRecord; n: number }>();
  for (const l of looks) {
    if (!l.counted || l.runLower === null || l.runUpper === null) continue;
    const key = `${l.step}\u0000${l.check}`;
    last.set(key, { l, n: (last.get(key)?.n ?? 0) + 1 });
  }
  return [...last.values()].map(({ l, n }) => ({
    stage: r.plan[l.step] ? describeStage(r.plan[l.step]!) : `step ${l.step + 1}`,
    check: l.check,
    lower: l.runLower!,
    upper: l.runUpper!,
    margin: l.margin,
    verdict: l.verdict,
    looks: n,
  }));
}
