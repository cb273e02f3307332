import { appendEvent } from '../audit/chain.js';
import { BLOB_PREFIX, digestFromBlobKey } from './layout.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Registry } from '../../ports/registry.js';
import type { Clock } from '../../ports/clock.js';
import { mapLimit } from '../util/map-limit.js';

export interface GcResult {
  dryRun: boolean;
  scanned: number;
  unreferenced: Array<{ sha256: string; size: number }>;
  /** Unreferenced but younger than the grace period: probably an upload whose register has not committed yet. */
  tooYoung: number;
  deleted: number;
  bytesFreed: number;
}

export const DEFAULT_GC_GRACE_MS = 24 * 3_600_000;

/** Remove blobs no version references. Blobs younger than `graceMs` stay: a concurrent register may be about to reference them. */
export async function collectGarbage(
  ctx: { registry: Registry; store: BlobStore; clock: Clock; actor: string },
  opts: { dryRun: boolean; graceMs?: number },
): Promise<GcResult> {
  const grace = opts.graceMs ?? DEFAULT_GC_GRACE_MS;
  const referenced = ctx.registry.referencedDigests();
  const now = ctx.clock.now().getTime();
  const unreferenced: GcResult['unreferenced'] = [];
  let scanned = 0;
  let tooYoung = 0;
  for await (const b of ctx.store.list(BLOB_PREFIX)) {
    const sha = digestFromBlobKey(b.key);
    if (!sha) continue;
    scanned++;
    if (referenced.has(sha)) continue;
    if (b.lastModified && now - b.lastModified.getTime() < grace) {
      tooYoung++;
      continue;
    }
    unreferenced.push({ sha256: sha, size: b.size });
  }
  const bytes = unreferenced.reduce((s, b) => s + b.size, 0);
  if (opts.dryRun || unreferenced.length === 0) {
    return { dryRun: opts.dryRun, scanned, unreferenced, tooYoung, deleted: 0, bytesFreed: 0 };
  }
  await mapLimit(unreferenced, 8, (b) => ctx.store.delete(`${BLOB_PREFIX}${b.sha256.slice(0, 2)}/${b.sha256}`));
  await ctx.registry.write(() => {
    appendEvent(ctx.registry, {
      at: ctx.clock.now().toISOString(),
      actor: ctx.actor,
      action: 'gc',
      model: null,
      subject: null,
      payload: { deleted: unreferenced.length, bytes, digests: unreferenced.slice(0, 1000).map((b) => b.sha256) },
    });
  });
  return { dryRun: false, scanned, unreferenced, tooYoung, deleted: unreferenced.length, bytesFreed: bytes };
}
