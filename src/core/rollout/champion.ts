import { appendEvent } from '../audit/chain.js';
import { type RolloutContext } from './context.js';
import { formatRef } from '../refs.js';
import type { EventRecord, VersionRecord } from '../../ports/registry.js';

export interface ChampionChange {
  model: string;
  to: VersionRecord;
  /** The champion it replaces (archived), if any. */
  from: VersionRecord | null;
  at: string;
  via: 'promote' | 'rollout' | 'rollback';
  reason: string | null;
  adr: string | null;
  commit: string | null;
  /** The folder the new champion serves from, when it has a serving target. */
  uri: string | null;
  rollout?: number;
  /** The step (Mlctl-Step) that made the change, and whether it was adopted after its process died. */
  stepId?: string;
  adopted?: boolean;
  gateRunId?: number | null;
  forced?: boolean;
}

/**
 * The one place the champion moves (a direct promotion, a completed rollout, a rollback): the
 * alias, both versions' statuses and the `champion.set` event that `mlctl audit champion` reads.
 * Runs inside the step's registry transaction.
 */
export async function recordChampionChange(ctx: RolloutContext, c: ChampionChange): Promise<EventRecord> {
  await ctx.registry.setAlias(c.model, 'champion', c.to.id, c.at, ctx.actor);
  await ctx.registry.setStatus(c.to.id, 'production', c.at);
  if (c.from) await ctx.registry.setStatus(c.from.id, 'archived', c.at);
  return await appendEvent(ctx.registry, {
    at: c.at,
    actor: ctx.actor,
    action: 'champion.set',
    model: c.model,
    subject: formatRef(c.to),
    payload: {
      version: c.to.version,
      previous: c.from?.version ?? null,
      via: c.via,
      ...(c.rollout !== undefined ? { rollout: c.rollout } : {}),
      reason: c.reason,
      adr: c.adr,
      ...(c.gateRunId !== undefined ? { gateRunId: c.gateRunId } : {}),
      ...(c.forced !== undefined ? { forced: c.forced } : {}),
      commit: c.commit,
      uri: c.uri,
      ...(c.stepId !== undefined ? { stepId: c.stepId } : {}),
      ...(c.adopted ? { adopted: true } : {}),
    },
  });
}
