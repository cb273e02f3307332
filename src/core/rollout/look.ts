import { appendEvent } from '../audit/chain.js';
import { formatRef } from '../refs.js';
import { describeStage } from './stages.js';
import type { RolloutContext } from './context.js';
import type { RolloutRecord } from '../../ports/registry.js';

/**
 * A stage without checks, looked at once its bake time has passed by this clock: the reading is
 * recorded (`rollout.look`), so a later command can count it as confirming the bake time (ADR 26).
 */
export async function recordLook(ctx: RolloutContext, r: RolloutRecord): Promise<void> {
  const cand = (await ctx.registry.getVersionById(r.candidateId))!;
  await ctx.registry.write(async () => {
    await appendEvent(ctx.registry, {
      at: ctx.clock.now().toISOString(),
      actor: ctx.actor,
      action: 'rollout.look',
      model: r.model,
      subject: formatRef(cand),
      payload: { rollout: r.id, stage: describeStage(r.plan[r.step]!), since: r.stepStartedAt },
    });
  });
}
