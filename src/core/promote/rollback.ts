import { UsageError } from '../errors.js';
import { type RolloutContext } from '../rollout/context.js';
import { checkModelName, formatRef } from '../refs.js';
import { reconcile } from '../reconcile/reconcile.js';
import { checkClock } from '../rollout/clock.js';
import { openRolloutOf } from '../rollout/pause.js';
import { abortRollout } from '../rollout/abort.js';
import { applyChampionRollback, planChampionRollback, type ChampionRollback } from './champion-rollback.js';
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
export type RollbackPlan =
  | { kind: 'abort'; confirm: Confirmation; rollout: RolloutRecord; reason: string | null }
  | { kind: 'rollback'; confirm: Confirmation; rollback: ChampionRollback };

export type RollbackResult =
  | { kind: 'abort'; outcome: StepOutcome; notes: string[] }
  | { kind: 'rollback'; outcome: ChampionResult; notes: string[] };

export async function planRollback(ctx: RolloutContext, input: RollbackInput): Promise<RollbackPlan> {
  const { model } = input;
  checkModelName(model);
  // What an interrupted step left is settled first; files it wrote are restored, never in the way.
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
      kind: 'abort',
      rollout: open,
      reason: input.reason ?? null,
      confirm: confirmation(
        `Abort the rollout of ${formatRef(cand)} and send all traffic back to the champion?`,
        `aborting the rollout of ${model}`,
      ),
    };
  }
  const rollback = await planChampionRollback(ctx, { model, to: input.to, reason: input.reason ?? null });
  return {
    kind: 'rollback',
    rollback,
    confirm: confirmation(
      `Roll ${model} back from ${formatRef(rollback.current)} to ${formatRef(rollback.target)}?`,
      `rolling back ${model}`,
    ),
  };
}

export async function applyRollback(ctx: RolloutContext, plan: RollbackPlan): Promise<RollbackResult> {
  if (plan.kind === 'abort') {
    const outcome = await abortRollout(ctx, plan.rollout, { reason: plan.reason, failing: [], by: 'rollback' });
    return { kind: 'abort', outcome, notes: [] };
  }
  const outcome = await applyChampionRollback(ctx, plan.rollback);
  return { kind: 'rollback', outcome, notes: outcome.adr ? [`recorded ADR ${outcome.adr}`] : [] };
}
