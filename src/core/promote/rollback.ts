import { UsageError } from '../errors.js';
import { type RolloutContext } from '../rollout/context.js';
import { checkModelName, formatRef } from '../refs.js';
import { reconcile } from '../reconcile/reconcile.js';
import { checkClock } from '../rollout/clock.js';
import { openRolloutOf } from '../rollout/pause.js';
import { planChampionRollback, type ChampionRollback } from './champion-rollback.js';
import { settlePending, type SettledStep } from '../rollout/settle-pending.js';
import { championPending } from '../rollout/champion-pending.js';
import { abortStep, championRollbackStep, isPullRequestOutcome } from '../rollout/step-mode.js';
import type { PullRequestOutcome } from '../rollout/pr-steps.js';
import { confirmation, type Confirmation } from '../confirmation.js';
import type { ChampionResult } from './direct.js';
import type { StepOutcome } from '../rollout/outcome.js';
import type { RolloutRecord } from '../../ports/registry.js';

export interface RollbackInput {
  model: string;
  to?: string;
  reason?: string;
}

/**
 * What `mlctl rollback` will do: `abort` the model's open rollout (all traffic back to the champion),
 * or `rollback` the champion to the previous one (from the audit log) or to `to`.
 */
export type RollbackPlan = { settled: SettledStep[] } & (
  | { kind: 'abort'; confirm: Confirmation; rollout: RolloutRecord; reason: string | null }
  | { kind: 'rollback'; confirm: Confirmation; rollback: ChampionRollback }
  /** A rollback of this model is already waiting for its pull request (ADR 25): nothing new to do. */
  | { kind: 'waiting'; confirm: null; waiting: SettledStep }
);

export type RollbackResult = { settled: SettledStep[] } & (
  | { kind: 'abort'; outcome: StepOutcome; notes: string[] }
  | { kind: 'rollback'; outcome: ChampionResult; notes: string[] }
  | { kind: 'pull-request'; outcome: PullRequestOutcome; notes: string[] }
  | { kind: 'waiting'; outcome: SettledStep; notes: string[] }
);

export async function planRollback(ctx: RolloutContext, input: RollbackInput): Promise<RollbackPlan> {
  const { model } = input;
  checkModelName(model);
  // Pull requests of earlier steps first (merged ones take effect), then what an interrupted step
  // left; files it wrote are restored, never in the way.
  const settled = await settlePending(ctx, model);
  await reconcile(ctx, model);
  await checkClock(ctx); // said, never in the way of the emergency path
  const open = await openRolloutOf(ctx, model);
  if (open) {
    if (input.to)
      throw new UsageError(
        `${model} has a rollout in progress; run mlctl rollback ${model} (without --to) to abort it first`,
      );
    const cand = (await ctx.registry.getVersionById(open.candidateId))!;
    return {
      settled,
      kind: 'abort',
      rollout: open,
      reason: input.reason ?? null,
      confirm: confirmation(
        `Abort the rollout of ${formatRef(cand)} and send all traffic back to the champion?`,
        `aborting the rollout of ${model}`,
      ),
    };
  }
  const waiting = settled.find((s) => s.rollout === null && s.outcome !== 'merged' && s.outcome !== 'cancelled');
  if (waiting && (await championPending(ctx.registry, model)))
    return { settled, kind: 'waiting', confirm: null, waiting };
  const rollback = await planChampionRollback(ctx, { model, to: input.to, reason: input.reason ?? null });
  return {
    settled,
    kind: 'rollback',
    rollback,
    confirm: confirmation(
      `Roll ${model} back from ${formatRef(rollback.current)} to ${formatRef(rollback.target)}?`,
      `rolling back ${model}`,
    ),
  };
}

export async function applyRollback(ctx: RolloutContext, plan: RollbackPlan): Promise<RollbackResult> {
  const settled = plan.settled;
  const said = settled
    .filter((s) => s.outcome === 'merged' || s.outcome === 'cancelled')
    .map((s) => `${s.model}: ${s.detail}`);
  if (plan.kind === 'waiting') return { settled, kind: 'waiting', outcome: plan.waiting, notes: said };
  if (plan.kind === 'abort') {
    const outcome = await abortStep(ctx, plan.rollout, { reason: plan.reason, failing: [], by: 'rollback' });
    if (isPullRequestOutcome(outcome)) return { settled, kind: 'pull-request', outcome, notes: said };
    return { settled, kind: 'abort', outcome, notes: said };
  }
  const outcome = await championRollbackStep(ctx, plan.rollback);
  const notes = [...said, ...(outcome.adr ? [`recorded ADR ${outcome.adr}`] : [])];
  if (isPullRequestOutcome(outcome)) return { settled, kind: 'pull-request', outcome, notes };
  return { settled, kind: 'rollback', outcome, notes };
}
