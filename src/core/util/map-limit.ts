/**
 * Run fn over items with at most `limit` in flight; results keep input order; the first error rejects.
 * With `settle`, the rejection waits for the calls already in flight to end (none starts after the
 * error), so that the caller can undo their effects knowing nothing is still writing.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  o: { settle?: boolean } = {},
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        failure ??= { err };
        if (!o.settle) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
  return results;
}
