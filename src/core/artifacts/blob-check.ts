import { blobKey } from './layout.js';
import type { BlobStore } from '../../ports/blob-store.js';

/** The blobs the store lacks (or holds with another size, e.g. a truncated copy), in input order. */
export async function missingBlobs<T extends { sha256: string; size: number }>(
  store: BlobStore,
  blobs: readonly T[],
): Promise<T[]> {
  const found = await store.statMany(blobs.map((b) => blobKey(b.sha256)));
  return blobs.filter((b, i) => found[i]?.size !== b.size);
}
