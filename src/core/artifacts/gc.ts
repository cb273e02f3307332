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
  /** Serving folders (models/<model>/<version>/) of versions archived for longer than the retention. */
  folders: Array<{ ref: string; files: number; size: number }>;
  /** Folders of archived versions still inside the retention period. */
  foldersKept: number;
}

export const DEFAULT_GC_GRACE_MS = 24 * 3_600_000;
export const DEFAULT_RETENTION_MS = 30 * 86_400_000;
const MODELS_PREFIX = 'models/';

/** Remove blobs no version references. Blobs younger than `graceMs` stay: a concurrent register may be about to reference them. */
export async function collectGarbage(
  ctx: { registry: Registry; store: BlobStore; clock: Clock; actor: string },
  opts: { dryRun: boolean; graceMs?: number; retentionMs?: number },
): Promise<GcResult> {
  const folders = await expiredFolders(ctx, opts.retentionMs ?? DEFAULT_RETENTION_MS);
  const grace = opts.graceMs ?? DEFAULT_GC_GRACE_MS;
  const referenced = await ctx.registry.referencedDigests();
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
  const folderView = folders.expired.map((f) => ({ ref: f.ref, files: f.keys.length, size: f.size }));
  if (opts.dryRun || (unreferenced.length === 0 && folders.expired.length === 0)) {
    return {
      dryRun: opts.dryRun,
      scanned,
      unreferenced,
      tooYoung,
      deleted: 0,
      bytesFreed: 0,
      folders: folderView,
      foldersKept: folders.kept,
    };
  }
  await mapLimit(unreferenced, 8, (b) => ctx.store.delete(`${BLOB_PREFIX}${b.sha256.slice(0, 2)}/${b.sha256}`));
  await mapLimit(
    folders.expired.flatMap((f) => f.keys),
    8,
    (k) => ctx.store.delete(k),
  );
  await ctx.registry.write(async () => {
    await appendEvent(ctx.registry, {
      at: ctx.clock.now().toISOString(),
      actor: ctx.actor,
      action: 'gc',
      model: null,
      subject: null,
      payload: {
        deleted: unreferenced.length,
        bytes,
        digests: unreferenced.slice(0, 1000).map((b) => b.sha256),
        folders: folderView.map((f) => f.ref),
      },
    });
  });
  return {
    dryRun: false,
    scanned,
    unreferenced,
    tooYoung,
    deleted: unreferenced.length,
    bytesFreed: bytes,
    folders: folderView,
    foldersKept: folders.kept,
  };
}

/**
 * Materialized serving folders whose version has been archived for longer than `retentionMs`
 * (so a rollback within the retention finds its folder in place). Folders of versions the registry
 * does not know are left alone: they are not mlctl's to judge.
 */
async function expiredFolders(ctx: { registry: Registry; store: BlobStore; clock: Clock }, retentionMs: number) {
  const byFolder = new Map<string, { keys: string[]; size: number }>();
  for await (const o of ctx.store.list(MODELS_PREFIX)) {
    const m = /^models\/([^/]+)\/(\d+)\//.exec(o.key);
    if (!m) continue;
    const f = byFolder.get(`${m[1]}@${m[2]}`) ?? { keys: [], size: 0 };
    f.keys.push(o.key);
    f.size += o.size;
    byFolder.set(`${m[1]}@${m[2]}`, f);
  }
  const now = ctx.clock.now().getTime();
  const expired: Array<{ ref: string; keys: string[]; size: number }> = [];
  let kept = 0;
  for (const [ref, f] of byFolder) {
    const [model, version] = ref.split('@') as [string, string];
    const v = await ctx.registry.getVersion(model, Number(version));
    if (!v || v.status !== 'archived') continue;
    const since = v.statusChangedAt ? Date.parse(v.statusChangedAt) : Number.NaN;
    if (Number.isFinite(since) && now - since >= retentionMs) expired.push({ ref, ...f });
    else kept++;
  }
  return { expired, kept };
}
