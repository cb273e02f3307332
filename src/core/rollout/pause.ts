import { appendEvent } from '../audit/chain.js';
import { NotFoundError, UsageError } from '../errors.js';
import { checkModelName } from '../refs.js';
import { type RolloutContext } from './context.js';
import { formatRef } from '../refs.js';
import { assertRolloutUnchanged } from './races.js';
import { describeStage } from './stages.js';
import { checkClock } from './clock.js';
import { viewOf, type RolloutView } from './status.js';
import type { RolloutRecord } from '../../ports/registry.js';

/** The model's open (active or paused) rollout, if any. */
export async function openRolloutOf(ctx: RolloutContext, model: string): Promise<RolloutRecord | undefined> {
  checkModelName(model);
  return await ctx.registry.openRollout(model);
}

/** Hold a rollout where it is (promote and tick leave it alone), or let it move again. */
export async function setPaused(
  ctx: RolloutContext,
  model: string,
  paused: boolean,
  reason: string | null,
): Promise<RolloutView> {
  const r = await openRolloutOf(ctx, model);
  if (!r) throw new NotFoundError(`${model} has no rollout in progress; see mlctl rollout status`);
  if ((r.state === 'paused') === paused) throw new UsageError(`the rollout of ${model} is already ${r.state}`);
  await checkClock(ctx);
  const row = await ctx.registry.write(async () => {
    await assertRolloutUnchanged(ctx, r);
    const at = ctx.clock.now().toISOString();
    await ctx.registry.updateRollout(r.id, r.revision, { state: paused ? 'paused' : 'active', updatedAt: at });
    await appendEvent(ctx.registry, {
      at,
      actor: ctx.actor,
      action: paused ? 'rollout.pause' : 'rollout.resume',
      model,
      subject: formatRef((await ctx.registry.getVersionById(r.candidateId))!),
      payload: { rollout: r.id, stage: describeStage(r.plan[r.step]!), reason },
    });
    return (await ctx.registry.getRollout(r.id))!;
  });
  return viewOf(ctx, row);
}
