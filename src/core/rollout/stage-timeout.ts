import { describeStage, formatDuration } from './stages.js';
import { summarizeChecks } from './evaluate.js';
import { abortRollout } from './abort.js';
import { setPaused } from './pause.js';
import type { RolloutContext } from './context.js';
import type { TickEntry } from './tick.js';
import type { HealthCheckResult } from './health-checks.js';
import type { RolloutRecord } from '../../ports/registry.js';

export interface StageTimeout {
  action: 'hold' | 'abort';
  /** Why, for the pause/abort reason and the tick entry. */
  reason: string;
}

/**
 * A stage's maxDuration has run out while its checks have still not all passed: `rollout tick`
 * holds (pauses) or aborts the rollout, per the stage's onTimeout. A rollout resumed after such a
 * hold gets another maxDuration from its resume, rather than being paused again at once.
 */
export async function stageTimeout(
  ctx: RolloutContext,
  r: RolloutRecord,
  checks: HealthCheckResult[],
): Promise<StageTimeout | null> {
  const stage = r.plan[r.step]!;
  if (stage.maxDurationMs === undefined || r.state !== 'active') return null;
  if (checks.length && checks.every((c) => c.status === 'pass')) return null;
  const now = ctx.clock.now().getTime();
  if (now - Date.parse(r.stepStartedAt) < stage.maxDurationMs) return null;
  const resumed = (await ctx.registry.events({ model: r.model, action: 'rollout.resume', since: r.stepStartedAt }))
    .filter((e) => (e.payload as { rollout?: unknown } | null)?.rollout === r.id)
    .map((e) => Date.parse(e.at));
  const from = Math.max(Date.parse(r.stepStartedAt), ...resumed);
  if (now - from < stage.maxDurationMs) return null;
  const open = checks.filter((c) => c.status !== 'pass');
  return {
    action: stage.onTimeout ?? 'hold',
    reason: `${describeStage(stage)} did not pass its checks within maxDuration ${formatDuration(stage.maxDurationMs)}${open.length ? ` (${summarizeChecks(open)})` : ''}`,
  };
}

/** Carry out a timeout: pause with the reason, or abort (all traffic back to the champion). */
export async function onStageTimeout(
  ctx: RolloutContext,
  r: RolloutRecord,
  t: StageTimeout,
  entry: Omit<TickEntry, 'action' | 'detail'>,
): Promise<TickEntry> {
  const reason = `rollout tick: ${t.reason}`;
  if (t.action === 'hold') {
    await setPaused(ctx, r.model, true, reason);
    return {
      ...entry,
      action: 'paused',
      detail: `held: ${t.reason}; mlctl rollout resume ${r.model} to give it more time`,
    };
  }
  const o = await abortRollout(ctx, r, { reason, failing: [], by: 'tick' });
  return {
    ...entry,
    action: 'aborted',
    detail: `aborted: ${t.reason}; all traffic back to ${o.champion}`,
    commit: o.commit,
  };
}
