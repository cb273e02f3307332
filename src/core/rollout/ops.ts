import { createTwoFilesPatch } from 'diff';
import { NotFoundError, StorageError } from '../errors.js';
import { resolveRef } from '../registry/resolve.js';
import { refOf, type PromoteContext } from '../promote/direct.js';
import { modelFolderKey } from '../artifacts/materialize.js';
import { abortRollout, applyAdvance, blocker, evaluateStage, planAdvance, type StepOutcome } from './engine.js';
import { renderServing } from './serving-files.js';
import { describeStage, formatDuration, freezePlan, targetAt } from './stages.js';
import type { CheckResult } from './checks.js';
import type { RolloutRecord, RolloutStage } from '../../ports/registry.js';

export interface RolloutView {
  id: number;
  model: string;
  candidate: string;
  champion: string | null;
  state: RolloutRecord['state'];
  plan: string;
  step: number;
  steps: number;
  stage: string;
  stageSince: string;
  /** Bake time left in the current stage (0 once served); null when the rollout has ended. */
  remaining: string | null;
  next: string | null;
  lastChecks: { at: string; results: CheckResult[] } | null;
  lastCommit: string | null;
  adr: string | null;
  startedAt: string;
  startedBy: string;
  endedAt: string | null;
  outcome: string | null;
}

export async function viewOf(ctx: PromoteContext, r: RolloutRecord): Promise<RolloutView> {
  const cand = (await ctx.registry.getVersionById(r.candidateId))!;
  const champ = r.championId === null ? null : (await ctx.registry.getVersionById(r.championId))!;
  const open = r.state === 'active' || r.state === 'paused';
  const left = open
    ? Math.max(0, r.plan[r.step]!.minDurationMs - (ctx.clock.now().getTime() - new Date(r.stepStartedAt).getTime()))
    : null;
  return {
    id: r.id,
    model: r.model,
    candidate: refOf(cand),
    champion: champ ? refOf(champ) : null,
    state: r.state,
    plan: r.planName,
    step: r.step + 1,
    steps: r.plan.length,
    stage: describeStage(r.plan[r.step]!),
    stageSince: r.stepStartedAt,
    remaining: left === null ? null : formatDuration(left),
    next: open && r.plan[r.step + 1] ? describeStage(r.plan[r.step + 1]!) : null,
    lastChecks: (r.lastChecks as RolloutView['lastChecks']) ?? null,
    lastCommit: r.lastCommit,
    adr: r.adr,
    startedAt: r.startedAt,
    startedBy: r.startedBy,
    endedAt: r.endedAt,
    outcome: r.outcome,
  };
}

/** Open rollouts (all models), or a model's rollouts newest first. */
export async function rolloutStatus(ctx: PromoteContext, model?: string): Promise<RolloutView[]> {
  return Promise.all(
    (await ctx.registry.rollouts(model ? { model, limit: 20 } : { open: true })).map((r) => viewOf(ctx, r)),
  );
}

export interface TickEntry {
  model: string;
  rollout: number;
  candidate: string;
  stage: string;
  checks: CheckResult[];
  action: 'advanced' | 'completed' | 'aborted' | 'waiting' | 'paused' | 'blocked' | 'conflict';
  detail: string;
  commit: string | null;
}

/**
 * One pass of automation over every open rollout: a failing check aborts; an undecided check or
 * bake time holds; a served stage advances only into a plan step marked `auto: true`.
 * Idempotent: a second tick right after the first finds nothing new to do.
 */
export async function tick(ctx: PromoteContext, opts: { model?: string }): Promise<TickEntry[]> {
  const open = await ctx.registry.rollouts({ model: opts.model, open: true });
  const out: TickEntry[] = [];
  for (const r of open) {
    const p = await planAdvance(ctx, r);
    const base = {
      model: r.model,
      rollout: r.id,
      candidate: refOf(p.candidate),
      stage: describeStage(r.plan[r.step]!),
      commit: null as string | null,
    };
    if (r.state === 'paused') {
      out.push({ ...base, checks: [], action: 'paused', detail: 'paused; mlctl rollout resume to continue' });
      continue;
    }
    const checks = await evaluateStage(ctx, r);
    const fresh = (await ctx.registry.getRollout(r.id))!;
    try {
      if (checks.some((c) => c.status === 'fail')) {
        const o = await abortRollout(ctx, fresh, {
          reason: 'rollout tick: a check failed',
          failing: checks.filter((c) => c.status === 'fail'),
          by: 'tick',
        });
        out.push({
          ...base,
          checks,
          action: 'aborted',
          detail: `aborted: all traffic back to ${o.champion}`,
          commit: o.commit,
        });
        continue;
      }
      const why = blocker({ ...p, rollout: fresh }, checks);
      if (why) {
        const undecided = checks.some((c) => c.status !== 'pass');
        out.push({ ...base, checks, action: undecided ? 'blocked' : 'waiting', detail: why.message });
        continue;
      }
      const next = r.plan[r.step + 1]!;
      if (!next.auto) {
        out.push({
          ...base,
          checks,
          action: 'waiting',
          detail: `ready for ${describeStage(next)}, which is not marked auto: run mlctl promote ${refOf(p.candidate)}`,
        });
        continue;
      }
      const o: StepOutcome = await applyAdvance(ctx, { ...p, rollout: fresh }, { forced: false, reason: null, checks });
      out.push({
        ...base,
        checks,
        action: o.action === 'complete' ? 'completed' : 'advanced',
        detail: `${base.stage} → ${o.stage}`,
        commit: o.commit,
      });
    } catch (err) {
      // Another tick or promote moved this rollout meanwhile: it acted, so this one does not.
      if (err instanceof StorageError && /changed under this command/.test(err.message))
        out.push({ ...base, checks, action: 'conflict', detail: err.message });
      else throw err;
    }
  }
  return out;
}

export interface PreviewStage {
  index: number;
  stage: string;
  minDuration: string | null;
  checks: string[];
  auto: boolean;
  current: boolean;
}

export interface RolloutPreview {
  model: string;
  candidate: string;
  champion: string | null;
  plan: string;
  adapter: string;
  stages: PreviewStage[];
  /** The stage the next promote would enter, and the file changes it would make. */
  next: string | null;
  diffs: Array<{ file: string; diff: string }>;
}

/** Dry run: the plan's stages and a unified diff of each serving file at the next stage. Writes nothing. */
export async function previewRollout(ctx: PromoteContext, ref: string): Promise<RolloutPreview> {
  const cand = await resolveRef(ctx.registry, ref);
  const spec = ctx.rollout.serving[cand.model];
  if (!spec)
    throw new NotFoundError(
      `${cand.model} has no serving target (serving.${cand.model} in mlctl.yaml); mlctl promote would make ${refOf(cand)} champion directly`,
    );
  const champVersion = await ctx.registry.resolveAlias(cand.model, 'champion');
  const champ = champVersion === undefined ? null : (await ctx.registry.getVersion(cand.model, champVersion))!;
  const open = await ctx.registry.openRollout(cand.model);
  const inThis = open && open.candidateId === cand.id ? open : null;
  const stages: RolloutStage[] = inThis ? inThis.plan : freezePlan(ctx.rollout.plans[spec.plan]!);
  // Without a champion the first version goes straight to full.
  const nextIndex = !champ ? stages.length - 1 : inThis ? inThis.step + 1 : 0;
  const store = await ctx.store();
  // The folder a version is (or would be) materialized at; nothing is copied by a dry run.
  const uriOf = (v: { model: string; version: number }) =>
    inThis && v.version === cand.version
      ? inThis.candidateUri
      : inThis && champ && v.version === champ.version
        ? (inThis.championUri ?? '')
        : store.uriOf(modelFolderKey(v.model, v.version));
  const target = champ
    ? targetAt(
        { model: cand.model, plan: stages, candidateUri: uriOf(cand), championUri: uriOf(champ) },
        { candidate: cand.version, champion: champ.version },
        nextIndex,
      )
    : { model: cand.model, champion: { version: cand.version, uri: uriOf(cand) } };
  const diffs =
    open && !inThis
      ? []
      : renderServing(ctx.step.root, cand.model, spec, target).map((e) => ({
          file: e.file,
          diff: createTwoFilesPatch(`a/${e.file}`, `b/${e.file}`, e.before, e.after, undefined, undefined, {
            context: 3,
          }),
        }));
  return {
    model: cand.model,
    candidate: refOf(cand),
    champion: champ ? refOf(champ) : null,
    plan: spec.plan,
    adapter: spec.adapter,
    stages: stages.map((s, i) => ({
      index: i + 1,
      stage: describeStage(s),
      minDuration: s.minDurationMs ? formatDuration(s.minDurationMs) : null,
      checks: s.checks,
      auto: s.auto,
      current: !!inThis && inThis.step === i,
    })),
    next: open && !inThis ? null : describeStage(stages[nextIndex]!),
    diffs,
  };
}
