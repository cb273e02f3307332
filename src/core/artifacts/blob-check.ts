import { blobKey } from './layout.js';
import { mapLimit } from '../util/map-limit.js';
import type { BlobStore } from '../../ports/blob-store.js';

/** The blobs the store lacks (or holds with another size, e.g. a truncated copy), in input order. */
export async function missingBlobs<T extends { sha256: string; size: number }>(
  store: BlobStore,
  blobs: readonly T[],
): Promise<T[]> {
  const present = await mapLimit(blobs, 32, async (b) => (await store.stat(blobKey(b.sha256)))?.size === b.size);
  return blobs.filter((_, i) => !present[i]);
}
