import type { BlobStore } from '../../ports/blob-store.js';

/**
 * Delete keys with a few requests in flight. Stops starting new deletions at the first error, but
 * says exactly which keys were deleted before it, so the caller can record them (issue 20.6).
 */
export async function deleteKeys(
  store: BlobStore,
  keys: readonly string[],
  inFlight = 8,
): Promise<{ deleted: Set<string>; error: Error | null }> {
  const deleted = new Set<string>();
  let error: Error | null = null;
  let next = 0;
  const worker = async () => {
    while (!error && next < keys.length) {
      const k = keys[next++]!;
      try {
        await store.delete(k);
        deleted.add(k);
      } catch (err) {
        error ??= err instanceof Error ? err : new Error(String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, keys.length) }, worker));
  return { deleted, error };
}
