import { appendEvent } from '../audit/chain.js';
import { formatRef } from '../refs.js';
import { stamp, type RolloutContext } from './context.js';
import { pendingOf, type PendingPullRequest, type PendingStep } from './pending.js';
import type { RolloutRecord } from '../../ports/registry.js';

/** What a pending step does, in words: "advance to canary 10%", "abort", "rollback to fraud@1". */
export function describePending(p: PendingStep): string {
  if (p.kind !== 'pull_request') return `the ${p.action} (${p.stage})`;
  if (p.action === 'advance' || p.action === 'complete') return `the step to ${p.label}`;
  return `the ${p.label}`;
}

/** The one line promote (and a second step) says while a step waits for its pull request. */
export function waitingMessage(model: string, p: PendingStep): string {
  if (p.kind !== 'pull_request')
    return `${model}: ${describePending(p)} is still pending (${p.kind}); run mlctl rollout tick ${model} to settle it`;
  return `${model}: ${describePending(p)} is waiting for review of pull request #${p.number} (${p.url}); merge it (or close it to cancel the step), then run mlctl rollout tick`;
}

/**
 * The ADR log lines of the rollout's steps that were cancelled since its last step took effect:
 * mlctl cannot push to a protected base, so a cancellation is written into the rollout's next
 * pull request (ADR 25).
 */
export async function cancelledLines(ctx: RolloutContext, r: RolloutRecord): Promise<string[]> {
  const since = (await ctx.registry.lastStep({ rollout: r.key }))?.seq ?? 0;
  return (await ctx.registry.events({ model: r.model, action: 'step.cancel', limit: 50 }))
    .filter((e) => e.seq > since && (e.payload as { rollout?: number }).rollout === r.id)
    .reverse()
    .map((e) => (e.payload as { adrLine?: string }).adrLine)
    .filter((l): l is string => typeof l === 'string');
}

/**
 * A pending step whose pull request was closed without merging (or that an abort superseded): the
 * step is cancelled, the rollout stays where it was. A cancelled start ends its rollout (it never
 * served). Runs under the registry write and the model's step scope; false when the rollout moved.
 */
export async function cancelRolloutStep(
  ctx: RolloutContext,
  r: RolloutRecord,
  p: PendingPullRequest,
  why: string,
): Promise<boolean> {
  const fresh = await ctx.registry.getRollout(r.id);
  const now = fresh ? pendingOf(fresh) : null;
  if (!fresh || now?.kind !== 'pull_request' || now.stepId !== p.stepId) return false;
  const at = ctx.clock.now().toISOString();
  const start = p.action === 'start';
  const ok = await ctx.registry.updateRollout(fresh.id, fresh.revision, {
    pending: null,
    updatedAt: at,
    ...(start ? { state: 'aborted', endedAt: at, outcome: `cancelled: ${why}` } : {}),
  });
  if (!ok) return false;
  const cand = (await ctx.registry.getVersionById(fresh.candidateId))!;
  await appendEvent(ctx.registry, {
    at,
    actor: ctx.actor,
    action: 'step.cancel',
    model: fresh.model,
    subject: formatRef(cand),
    payload: {
      stepId: p.stepId,
      action: p.action,
      stage: p.stage,
      number: p.number,
      url: p.url,
      rollout: fresh.id,
      why,
      adrLine: `${stamp(ctx)} ${describePending(p)} was cancelled: ${why}`,
    },
  });
  return true;
}

/** A champion change's pull request closed without merging: recorded, nothing else changes. */
export async function cancelChampionStep(
  ctx: RolloutContext,
  model: string,
  version: number,
  p: PendingPullRequest,
  why: string,
): Promise<void> {
  await appendEvent(ctx.registry, {
    at: ctx.clock.now().toISOString(),
    actor: ctx.actor,
    action: 'step.cancel',
    model,
    subject: `${model}@${version}`,
    payload: { stepId: p.stepId, action: p.action, stage: p.stage, number: p.number, url: p.url, rollout: null, why },
  });
}
