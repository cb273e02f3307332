import { formatRef } from '../refs.js';
import { abortRollout } from './abort.js';
import { applyAdvance, type AdvanceOptions, type AdvancePlan } from './advance.js';
import { startRollout } from './start.js';
import type { SizedPlan } from './replicas.js';
import { describeStage } from './stages.js';
import { pendingOf, type PendingPullRequest } from './pending.js';
import { cancelRolloutStep } from './pr-cancel.js';
import { gitopsOf } from './settle-pending.js';
import {
  abortWhy,
  openAbortPr,
  openAdvancePr,
  openChampionPr,
  openStartPr,
  type AbortInput,
  type PullRequestOutcome,
} from './pr-steps.js';
import { applyDirectPromotion, type ChampionResult } from '../promote/direct.js';
import { applyChampionRollback, type ChampionRollback } from '../promote/champion-rollback.js';
import type { CandidateChange, RolloutContext } from './context.js';
import type { StepOutcome } from './outcome.js';
import type { RolloutRecord } from '../../ports/registry.js';

/*
 * Each step that changes what serves, in the mode mlctl.yaml (git.mode, rollback.mode) or --pr
 * asks for: a commit (runStep, ADR 9) or a pull request (runPullRequestStep, ADR 25).
 */

export const isPullRequestOutcome = (o: object): o is PullRequestOutcome => 'pull_request' in o;

const prSteps = (ctx: RolloutContext) => !!ctx.pullRequests?.steps;
const prRollbacks = (ctx: RolloutContext) => !!ctx.pullRequests?.rollbacks;

/**
 * rollback.mode: commit under git.mode: pull-request lets aborts and rollbacks go straight to the
 * base branch: they are pushed, since nothing else would bring them there.
 */
function directCtx(ctx: RolloutContext): RolloutContext {
  if (!prSteps(ctx)) return ctx;
  return { ...ctx, step: { ...ctx.step, git: { ...ctx.step.git, commit: true, push: true } } };
}

export async function startStep(
  ctx: RolloutContext,
  change: CandidateChange,
  sized?: SizedPlan,
): Promise<StepOutcome | PullRequestOutcome> {
  return prSteps(ctx) ? await openStartPr(ctx, change, sized) : await startRollout(ctx, change, sized);
}

export async function advanceStep(
  ctx: RolloutContext,
  p: AdvancePlan,
  opts: AdvanceOptions,
): Promise<StepOutcome | PullRequestOutcome> {
  return prSteps(ctx) ? await openAdvancePr(ctx, p, opts) : await applyAdvance(ctx, p, opts);
}

export async function directPromotionStep(
  ctx: RolloutContext,
  change: CandidateChange,
): Promise<ChampionResult | PullRequestOutcome> {
  if (prSteps(ctx) && ctx.rollout.serving[change.candidate.model])
    return await openChampionPr(ctx, {
      via: 'promote',
      model: change.candidate.model,
      target: change.candidate,
      current: change.champion,
      reason: change.reason,
      supersedes: null,
      change,
    });
  return await applyDirectPromotion(ctx, change);
}

export async function championRollbackStep(
  ctx: RolloutContext,
  plan: ChampionRollback,
): Promise<ChampionResult | PullRequestOutcome> {
  if (prRollbacks(ctx) && ctx.rollout.serving[plan.model])
    return await openChampionPr(ctx, {
      via: 'rollback',
      model: plan.model,
      target: plan.target,
      current: plan.current,
      reason: plan.reason,
      supersedes: plan.supersedes,
      change: null,
    });
  return await applyChampionRollback(directCtx(ctx), plan);
}

/**
 * Abort a rollout: an urgent pull request (rollback.mode: pull-request) or a commit pushed to the
 * base. A step waiting for its pull request is superseded: the pull request is closed with a comment
 * saying why. A start still waiting needs nothing else: it never served, so the rollout just ends.
 */
export async function abortStep(
  ctx: RolloutContext,
  r: RolloutRecord,
  o: AbortInput,
): Promise<StepOutcome | PullRequestOutcome> {
  const pending = pendingOf(r);
  const pr = pending?.kind === 'pull_request' ? pending : null;
  if (pr?.action === 'start') return await cancelStart(ctx, r, pr, o);
  if (prRollbacks(ctx)) {
    const opened = await openAbortPr(ctx, r, o);
    if ('already' in opened) return await alreadyWaiting(ctx, r, opened.already);
    return opened;
  }
  let fresh = r;
  if (pr) {
    await closePullRequest(
      ctx,
      r.model,
      pr,
      `Superseded: mlctl aborted this rollout (${abortWhy(o)}) with a commit on the base branch.`,
    );
    await ctx.registry.write(async () => {
      await ctx.registry.exclusive(`model:${r.model}`);
      await cancelRolloutStep(ctx, r, pr, `superseded by the abort (${abortWhy(o)})`);
    });
    fresh = (await ctx.registry.getRollout(r.id))!;
  }
  return await abortRollout(directCtx(ctx), fresh, o);
}

async function closePullRequest(ctx: RolloutContext, model: string, p: PendingPullRequest, comment: string) {
  if (!ctx.pullRequests) throw new Error(`pull request #${p.number} is pending and this command has no host`);
  const host = await ctx.pullRequests.host(await gitopsOf(ctx, model));
  await host.close(p.number, comment);
}

/** An abort of a rollout whose start is still a pull request: close it; the rollout ends, having never served. */
async function cancelStart(
  ctx: RolloutContext,
  r: RolloutRecord,
  p: PendingPullRequest,
  o: AbortInput,
): Promise<StepOutcome> {
  const why = abortWhy(o);
  await closePullRequest(
    ctx,
    r.model,
    p,
    `Cancelled: mlctl aborted this rollout before it started (${why}). Nothing was served from it.`,
  );
  await ctx.registry.write(async () => {
    await ctx.registry.exclusive(`model:${r.model}`);
    await cancelRolloutStep(ctx, r, p, `aborted before its pull request #${p.number} was merged (${why})`);
  });
  const cand = (await ctx.registry.getVersionById(r.candidateId))!;
  const champ = r.championId === null ? null : await ctx.registry.getVersionById(r.championId);
  return {
    model: r.model,
    rollout: r.id,
    key: r.key,
    stepId: p.stepId,
    candidate: formatRef(cand),
    champion: champ ? formatRef(champ) : null,
    action: 'abort',
    step: r.step,
    stage: describeStage(r.plan[r.step]!),
    state: 'aborted',
    commit: null,
    pushed: false,
    files: [],
    outside: [],
    adr: null,
    forced: false,
  };
}

/** An abort is already waiting for review: say so (the same pull request), do nothing new. */
async function alreadyWaiting(
  ctx: RolloutContext,
  r: RolloutRecord,
  p: PendingPullRequest,
): Promise<PullRequestOutcome> {
  const cand = (await ctx.registry.getVersionById(r.candidateId))!;
  const champ = r.championId === null ? null : await ctx.registry.getVersionById(r.championId);
  return {
    model: r.model,
    rollout: r.id,
    stepId: p.stepId,
    candidate: formatRef(cand),
    champion: champ ? formatRef(champ) : null,
    action: 'abort',
    stage: 'abort',
    state: 'pending',
    pull_request: { number: p.number, url: p.url, state: 'open', created: false },
    branch: p.branch,
    base: p.base,
    commit: p.commit,
    files: [],
    adr: p.adr,
    urgent: p.urgent,
    superseded: null,
    warnings: [],
  };
}
