import { ConcurrentChangeError } from '../errors.js';
import { describeStage } from './stages.js';
import type { RolloutContext } from './context.js';
import type { RolloutRecord } from '../../ports/registry.js';

/*
 * A step is planned outside the registry's write lock and done under it (ADR 9): these re-checks,
 * run under the lock, make exactly one of two racing commands act; the other exits 3, nothing written.
 */

/** The champion changed under us (another promote/rollback). */
export async function assertChampionUnchanged(
  ctx: RolloutContext,
  model: string,
  expected: number | null,
  doing: string,
): Promise<void> {
  const now = (await ctx.registry.resolveAlias(model, 'champion')) ?? null;
  if (now !== expected)
    throw new ConcurrentChangeError(
      `the champion of ${model} changed while ${doing} (now ${now === null ? 'none' : `${model}@${now}`}); check mlctl show ${model}@champion and run the command again`,
      'champion',
    );
}

/** The rollout's row moved on (its revision changed) since this command read it. */
export async function assertRolloutUnchanged(ctx: RolloutContext, r: RolloutRecord): Promise<void> {
  const now = await ctx.registry.getRollout(r.id);
  if (!now || now.revision !== r.revision) {
    const where = now
      ? `now at step ${now.step + 1}/${now.plan.length} (${describeStage(now.plan[now.step]!)}), ${now.state}`
      : 'gone';
    throw rolloutMoved(r, where);
  }
}

export function rolloutMoved(r: RolloutRecord, where?: string): ConcurrentChangeError {
  return new ConcurrentChangeError(
    where
      ? `the rollout of ${r.model} changed under this command (${where}); see mlctl rollout status ${r.model} and run again if still needed`
      : `the rollout of ${r.model} changed under this command; see mlctl rollout status ${r.model}`,
    'rollout',
  );
}
