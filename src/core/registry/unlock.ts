import { appendEvent } from '../audit/chain.js';
import type { Clock } from '../../ports/clock.js';
import type { Registry } from '../../ports/registry.js';
import type { SharedLock, SharedRegistryAdmin } from '../../ports/shared-registry.js';

/**
 * Remove a stale lock of the shared registry by its id and record who did it (`registry.unlock`).
 * The registry is opened after the lock is gone: writing the event takes the lock itself.
 */
export async function unlockSharedRegistry(
  ctx: { admin: SharedRegistryAdmin; registry(): Promise<Registry>; clock: Clock; actor(): Promise<string> },
  id: string,
): Promise<SharedLock> {
  const removed = await ctx.admin.unlock(id);
  const registry = await ctx.registry();
  const actor = await ctx.actor();
  await registry.write(
    async () =>
      await appendEvent(registry, {
        at: ctx.clock.now().toISOString(),
        actor,
        action: 'registry.unlock',
        model: null,
        subject: null,
        payload: { lock: removed },
      }),
  );
  return removed;
}
