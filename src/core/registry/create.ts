import { appendEvent } from '../audit/chain.js';
import { UsageError } from '../errors.js';
import { registryScheme } from './location.js';
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

/** mlctl init --new-registry: only for a shared (s3://) registry, whose first write creates the remote object. */
export async function startNewSharedRegistry(
  location: string,
  open: () => Promise<Registry>,
  o: { at: string; actor: () => Promise<string> },
): Promise<{ location: string }> {
  if (registryScheme(location) !== 's3')
    throw new UsageError(`--new-registry creates a shared registry (s3://…); the registry is ${location}`);
  return startRegistry(await open(), { at: o.at, actor: await o.actor() });
}
