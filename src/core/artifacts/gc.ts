import { BLOBS_SCOPE } from './layout.js';
import { appendEvent } from '../audit/chain.js';
import { StorageError } from '../errors.js';
import { BLOB_PREFIX, blobKey, digestFromBlobKey } from './layout.js';
import { PIN_PREFIX, PIN_TTL_MS, readPins } from './pins.js';
import { deleteAll } from './delete-all.js';
import type { BlobStore, PartialUpload } from '../../ports/blob-store.js';
import type { Registry } from '../../ports/registry.js';
import type { Clock } from '../../ports/clock.js';

export interface GcResult {
  dryRun: boolean;
  scanned: number;
  /** Blobs deleted (or, with dryRun, that would be). */
  unreferenced: Array<{ sha256: string; size: number }>;
  /** Unreferenced but younger than the grace period: probably an upload whose register has not committed yet. */
  tooYoung: number;
  /** Unreferenced and old, but pinned by a register in progress or referenced by the time gc held the lock. */
  inUse: number;
  deleted: number;
  bytesFreed: number;
  /** Serving folders (models/<model>/<version>/) of versions archived for longer than the retention. */
  folders: Array<{ ref: string; files: number; size: number }>;
  /** Folders of archived versions still inside the retention period. */
  foldersKept: number;
  /** Pins left by registers that were killed, past their expiry. */
  stalePins: number;
  /**
   * Leftovers of uploads that never finished (temp files, incomplete multipart uploads): removed
   * (or, with dryRun, that would be) once older than the grace period; `bytes` counts what the
   * store reports (S3 does not say how much an incomplete upload holds).
   */
  partial: { removed: number; bytes: number; kept: number };
}

export const DEFAULT_GC_GRACE_MS = 24 * 3_600_000;
export const DEFAULT_RETENTION_MS = 30 * 86_400_000;
const MODELS_PREFIX = 'models/';
/**
 * Deletions per registry write: each batch holds the write lock while it deletes, and the shared
 * registry's lock expires (10 min by default), so a batch must finish well inside that.
 */
const BATCH = 10_000;

type Ctx = { registry: Registry; store: BlobStore; clock: Clock; actor: string };

/**
 * Remove blobs no version references, expired serving folders and abandoned partial uploads (ADR 20). The scan runs without
 * the lock; every deletion runs under the registry's write lock after re-reading the references
 * and the pins there, so a register either committed before (its blobs are referenced), holds a
 * pin, or re-checks its blobs under the lock after this batch (and uploads what went missing).
 * Blobs younger than `graceMs` stay: an upload may be about to be referenced.
 */
export async function collectGarbage(
  ctx: Ctx,
  opts: { dryRun: boolean; graceMs?: number; retentionMs?: number },
): Promise<GcResult> {
  const grace = opts.graceMs ?? DEFAULT_GC_GRACE_MS;
  const now = ctx.clock.now();
  const folders = await expiredFolders(ctx, opts.retentionMs ?? DEFAULT_RETENTION_MS);
  const referenced = await ctx.registry.referencedDigests();
  const candidates: Array<{ sha256: string; size: number }> = [];
  let scanned = 0;
  let tooYoung = 0;
  for await (const b of ctx.store.list(BLOB_PREFIX)) {
    const sha = digestFromBlobKey(b.key);
    if (!sha) continue;
    scanned++;
    if (referenced.has(sha)) continue;
    if (b.lastModified && now.getTime() - b.lastModified.getTime() < grace) {
      tooYoung++;
      continue;
    }
    candidates.push({ sha256: sha, size: b.size });
  }
  // Older than the grace period and not held by a live pin (a register in progress refreshes its
  // pin; a killed one's expires within PIN_TTL_MS): abandoned.
  const partials: PartialUpload[] = [];
  let partialKept = 0;
  for await (const p of ctx.store.listPartial()) {
    if (p.startedAt && now.getTime() - p.startedAt.getTime() < grace) partialKept++;
    else partials.push(p);
  }
  const result: GcResult = {
    dryRun: opts.dryRun,
    scanned,
    unreferenced: [],
    tooYoung,
    inUse: 0,
    deleted: 0,
    bytesFreed: 0,
    folders: [],
    foldersKept: folders.kept,
    stalePins: 0,
    partial: { removed: 0, bytes: 0, kept: partialKept },
  };

  if (opts.dryRun) {
    const pins = await readPins(ctx.store, now);
    result.unreferenced = candidates.filter((b) => !pins.digests.has(b.sha256));
    result.inUse = candidates.length - result.unreferenced.length;
    result.folders = folders.expired.map(folderView);
    result.stalePins = pins.expired.length;
    const abandoned = partials.filter((p) => !heldPartial(p, pins.digests, now));
    result.partial.kept += partials.length - abandoned.length;
    result.partial.removed = abandoned.length;
    result.partial.bytes = abandoned.reduce((n, p) => n + (p.size ?? 0), 0);
    return result;
  }

  const batches: Array<typeof candidates> = [];
  for (let i = 0; i < candidates.length; i += BATCH) batches.push(candidates.slice(i, i + BATCH));
  // One pass even without blobs: expired folders and stale pins are removed under the lock too.
  if (batches.length === 0) batches.push([]);
  for (const [i, batch] of batches.entries()) {
    let failure: Error | null = null;
    await ctx.registry.write(async () => {
      // The lock register re-checks its blobs under: nothing gets referenced while this batch decides.
      await ctx.registry.exclusive(BLOBS_SCOPE);
      const live = await ctx.registry.referencedDigests();
      const pins = await readPins(ctx.store, ctx.clock.now());
      const doomed = batch.filter((b) => !live.has(b.sha256) && !pins.digests.has(b.sha256));
      result.inUse += batch.length - doomed.length;
      const dirs = i === 0 ? await stillExpired(ctx, folders.expired) : [];
      const stale = i === 0 ? pins.expired : [];
      const leftovers = i === 0 ? partials.filter((p) => !heldPartial(p, pins.digests, now)) : [];
      if (i === 0) result.partial.kept += partials.length - leftovers.length;
      if (doomed.length + dirs.length + stale.length + leftovers.length === 0) return;
      const keys = [...doomed.map((b) => blobKey(b.sha256)), ...dirs.flatMap((f) => f.keys), ...stale];
      const gone = await deleteAll(keys, (k) => ctx.store.delete(k));
      const aborted = gone.error
        ? { deleted: new Set<PartialUpload>(), error: null }
        : await deleteAll(leftovers, (p) => ctx.store.removePartial(p));
      failure = gone.error ?? aborted.error;
      const deleted = doomed.filter((b) => gone.deleted.has(blobKey(b.sha256)));
      const deletedDirs = dirs.filter((f) => f.keys.some((k) => gone.deleted.has(k)));
      const bytes = deleted.reduce((s, b) => s + b.size, 0);
      const removed = leftovers.filter((p) => aborted.deleted.has(p));
      result.unreferenced.push(...deleted);
      result.deleted += deleted.length;
      result.bytesFreed += bytes;
      result.folders.push(...deletedDirs.map(folderView));
      result.stalePins += stale.filter((k) => gone.deleted.has(k)).length;
      result.partial.removed += removed.length;
      result.partial.bytes += removed.reduce((n, p) => n + (p.size ?? 0), 0);
      if (deleted.length + deletedDirs.length + removed.length === 0 && !failure) return;
      // Recorded in the same write even when the deletions stopped half-way: the log says what is gone.
      await appendEvent(ctx.registry, {
        at: ctx.clock.now().toISOString(),
        actor: ctx.actor,
        action: 'gc',
        model: null,
        subject: null,
        payload: {
          deleted: deleted.length,
          bytes,
          digests: deleted.slice(0, 1000).map((b) => b.sha256),
          folders: deletedDirs.map((f) => f.ref),
          ...(removed.length ? { partial: removed.length } : {}),
          ...(failure ? { failed: (failure as Error).message } : {}),
        },
      });
    });
    if (failure) {
      throw new StorageError(
        `gc stopped: ${(failure as Error).message}; ${result.deleted} blob(s) deleted before that are recorded in the audit log (mlctl audit --action gc); run mlctl gc again`,
        { cause: failure },
      );
    }
  }
  return result;
}

/** A partial upload a live register still owns: its blob is pinned, or it is a pin being written. */
function heldPartial(p: PartialUpload, pinned: Set<string>, now: Date): boolean {
  const sha = digestFromBlobKey(p.key);
  if (sha && pinned.has(sha)) return true;
  return p.key.startsWith(PIN_PREFIX) && (!p.startedAt || now.getTime() - p.startedAt.getTime() < PIN_TTL_MS);
}

const folderView = (f: { ref: string; keys: string[]; size: number }) => ({
  ref: f.ref,
  files: f.keys.length,
  size: f.size,
});

type Folder = { ref: string; model: string; version: number; keys: string[]; size: number; since: number };

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
  const expired: Folder[] = [];
  let kept = 0;
  for (const [ref, f] of byFolder) {
    const [model, version] = ref.split('@') as [string, string];
    const v = await ctx.registry.getVersion(model, Number(version));
    if (!v || v.status !== 'archived') continue;
    const since = v.statusChangedAt ? Date.parse(v.statusChangedAt) : Number.NaN;
    if (Number.isFinite(since) && now - since >= retentionMs)
      expired.push({ ref, model, version: Number(version), since, ...f });
    else kept++;
  }
  return { expired, kept };
}

/** Under the lock: a version restored since the scan (un-archived) keeps its folder. */
async function stillExpired(ctx: { registry: Registry }, folders: Folder[]): Promise<Folder[]> {
  const out: Folder[] = [];
  for (const f of folders) {
    const v = await ctx.registry.getVersion(f.model, f.version);
    if (v?.status === 'archived' && v.statusChangedAt && Date.parse(v.statusChangedAt) === f.since) out.push(f);
  }
  return out;
}
