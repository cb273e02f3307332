import { type RolloutContext } from './context.js';
import { checkModelName, formatRef } from '../refs.js';
import { reconcile } from '../reconcile/reconcile.js';
import { bakeConfirmed, checkClock, warnFutureStage } from './clock.js';
import { recordLook } from './look.js';
import { evaluateStage } from './evaluate.js';
import { describeStage, formatDuration } from './stages.js';
import { describePending } from './pr-cancel.js';
import { settlePending, type SettledStep } from './settle-pending.js';
import type { HealthCheckResult } from './health-checks.js';
import type { RolloutRecord } from '../../ports/registry.js';
import { pendingOf, type PendingStep } from './pending.js';

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
  lastChecks: { at: string; results: HealthCheckResult[] } | null;
  lastCommit: string | null;
  /** A step written but not yet in effect (a label waiting for its version to load, a pull request): its bake time has not started. */
  pending: PendingStep | null;
  adr: string | null;
  startedAt: string;
  startedBy: string;
  endedAt: string | null;
  outcome: string | null;
  /** The step waiting for its pull request (ADR 25), in words; null when none. */
  waiting_for: string | null;
  pull_request: { number: number; url: string; state: 'open' | 'merged' | 'closed' } | null;
}

export async function viewOf(ctx: RolloutContext, r: RolloutRecord, seen: SettledStep[] = []): Promise<RolloutView> {
  const waiting = pendingOf(r);
  const pr = waiting?.kind === 'pull_request' ? waiting : null;
  const cand = (await ctx.registry.getVersionById(r.candidateId))!;
  const champ = r.championId === null ? null : (await ctx.registry.getVersionById(r.championId))!;
  const open = r.state === 'active' || r.state === 'paused';
  const left = open
    ? Math.max(0, r.plan[r.step]!.minDurationMs - (ctx.clock.now().getTime() - new Date(r.stepStartedAt).getTime()))
    : null;
  return {
    id: r.id,
    model: r.model,
    candidate: formatRef(cand),
    champion: champ ? formatRef(champ) : null,
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
    pending: pendingOf(r),
    adr: r.adr,
    startedAt: r.startedAt,
    startedBy: r.startedBy,
    endedAt: r.endedAt,
    outcome: r.outcome,
    waiting_for: pr ? describePending(pr) : null,
    pull_request: pr
      ? {
          number: pr.number,
          url: pr.url,
          state:
            seen.find((s) => s.rollout === r.id && s.pull_request.number === pr.number)?.pull_request.state ?? 'open',
        }
      : null,
  };
}

/**
 * Open rollouts (all models), or a model's rollouts newest first; what an interrupted step left is
 * reconciled first (ADR 26), so the answer is what the GitOps history says too.
 */
export async function rolloutStatus(ctx: RolloutContext, model?: string): Promise<RolloutView[]> {
  return (await statusOf(ctx, model, false)).views;
}

export interface CheckedStatus {
  views: RolloutView[];
  /** Why not every check of the active rollouts passed (null when they all did, or there were none). */
  problem: { outcome: 'negative' | 'storage' | 'inconclusive'; message: string } | null;
}

/** `rollout status --check`: the checks of each active rollout run first; nothing moves. */
export async function rolloutStatusChecked(ctx: RolloutContext, model?: string): Promise<CheckedStatus> {
  const { views, checked } = await statusOf(ctx, model, true);
  return { views, problem: checkProblem(checked) };
}

async function statusOf(
  ctx: RolloutContext,
  model: string | undefined,
  check: boolean,
): Promise<{ views: RolloutView[]; checked: Array<{ model: string; results: HealthCheckResult[] }> }> {
  if (model) checkModelName(model);
  const before = (await ctx.registry.lastEvent())?.seq ?? 0;
  // Pending pull requests are looked at (and settled) first; a host out of reach is a warning here.
  const seen = await settlePending(ctx, model, { tolerant: true });
  for (const s of seen)
    if (s.rollout === null || s.outcome === 'conflict' || s.outcome === 'merged' || s.outcome === 'cancelled')
      ctx.warn(`${s.model}: ${s.detail}`);
  await reconcile(ctx, model);
  await checkClock(ctx);
  const rows = await ctx.registry.rollouts(model ? { model, limit: 20 } : { open: true });
  const checked: Array<{ model: string; results: HealthCheckResult[] }> = [];
  for (const r of rows) {
    if (r.state !== 'active' && r.state !== 'paused') continue;
    warnFutureStage(ctx, r);
    // Looking at a stage whose bake time this clock says has passed is a reading worth keeping:
    // the next promote or tick counts it as confirming the bake time (ADR 26).
    const elapsed = ctx.clock.now().getTime() - Date.parse(r.stepStartedAt);
    const bakeLook =
      r.state === 'active' && elapsed >= r.plan[r.step]!.minDurationMs && !(await bakeConfirmed(ctx, r, before));
    if (check && r.state === 'active')
      checked.push({ model: r.model, results: await evaluateStage(ctx, r, { look: bakeLook }) });
    else if (bakeLook) await recordLook(ctx, r);
  }
  const fresh = check ? await Promise.all(rows.map(async (r) => (await ctx.registry.getRollout(r.id))!)) : rows;
  return { views: await Promise.all(fresh.map((r) => viewOf(ctx, r, seen))), checked };
}

/** A failing check is negative (exit 1), one that could not run storage (3), an undecided one inconclusive (5). */
function checkProblem(checked: Array<{ model: string; results: HealthCheckResult[] }>): CheckedStatus['problem'] {
  const listed = (status: HealthCheckResult['status']) =>
    checked.flatMap((x) =>
      x.results.filter((c) => c.status === status).map((c) => `${x.model}: ${c.name}: ${c.detail}`),
    );
  const failed = listed('fail');
  if (failed.length) return { outcome: 'negative', message: `failing: ${failed.join('; ')}` };
  const broken = listed('error');
  if (broken.length) return { outcome: 'storage', message: `could not evaluate: ${broken.join('; ')}` };
  const undecided = listed('inconclusive');
  if (undecided.length) return { outcome: 'inconclusive', message: `inconclusive: ${undecided.join('; ')}` };
  return null;
}
