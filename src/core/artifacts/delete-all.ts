/**
 * Run deletions with a few in flight. Stops starting new ones at the first error, but says exactly
 * which items were deleted before it, so the caller can record them (issue 20.6).
 */
export async function deleteAll<T>(
  items: readonly T[],
  del: (item: T) => Promise<void>,
  inFlight = 8,
): Promise<{ deleted: Set<T>; error: Error | null }> {
  const deleted = new Set<T>();
  let error: Error | null = null;
  let next = 0;
  const worker = async () => {
    while (!error && next < items.length) {
      const item = items[next++]!;
      try {
        await del(item);
        deleted.add(item);
      } catch (err) {
        error ??= err instanceof Error ? err : new Error(String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, worker));
  return { deleted, error };
}
