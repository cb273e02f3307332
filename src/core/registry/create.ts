import { appendEvent } from '../audit/chain.js';
import { UsageError } from '../errors.js';
import type { Registry } from '../../ports/registry.js';

/**
 * Start a registry explicitly (mlctl init --new-registry): its first write is an audit event saying
 * who created it and when — for a shared registry that write is what creates the remote object.
 */
export async function startRegistry(
  registry: Registry,
  o: { at: string; actor: string },
): Promise<{ location: string }> {
  const last = await registry.lastEvent();
  if (last)
    throw new UsageError(
      `the registry ${registry.location} already exists (${last.seq} audit event(s)); --new-registry only creates a new one — use it as it is, or replace it with mlctl registry push <file> --force`,
    );
  await registry.write(
    async () =>
      await appendEvent(registry, {
        at: o.at,
        actor: o.actor,
        action: 'registry.create',
        model: null,
        subject: null,
        payload: { location: registry.location },
      }),
  );
  return { location: registry.location };
}
