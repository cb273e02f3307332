import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { MlctlError, StorageError, UsageError, VerdictError } from '../errors.js';
import { resolveRef } from '../registry/resolve.js';
import { blobKey } from './layout.js';
import { checkManifestPath } from './manifest.js';
import { escapesRoot } from './paths.js';
import { checkManifest } from './manifest-check.js';
import { prepareDestination } from './destination.js';
import { newHashStats, sha256Local, type HashStats } from '../hashing/local-hash.js';
import type { HashCache } from '../../ports/hash-cache.js';
import { mapLimit } from '../util/map-limit.js';
import { trackTemp, untrackTemp } from '../util/temp-files.js';
import { fsFailure, isFsError } from '../util/fs-errors.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Registry, ArtifactEntry } from '../../ports/registry.js';
import { noProgress, type Progress } from '../../ports/progress.js';

export interface PullResult {
  ref: string;
  to: string;
  files: Array<ArtifactEntry & { action: 'downloaded' | 'up-to-date' }>;
  bytesDownloaded: number;
  /** Files already at the destination that were hashed to check them, and how many the hash cache answered. */
  hashing: HashStats;
}

/** Stream one blob to dest: hash while writing a temp file next to it, rename only when the digest matches. */
export async function downloadVerified(
  store: BlobStore,
  entry: ArtifactEntry,
  dest: string,
  onBytes?: (n: number) => void,
): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.mlctl-tmp-${randomBytes(6).toString('hex')}`;
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      size += chunk.length;
      onBytes?.(chunk.length);
      cb(null, chunk);
    },
  });
  trackTemp(tmp);
  try {
    if (!(await store.stat(blobKey(entry.sha256)))) {
      throw new StorageError(
        `${entry.path}: blob sha256:${entry.sha256} is missing from ${store.location}; run 'mlctl verify --all' to find every affected version`,
      );
    }
    const body = await store.getStream(blobKey(entry.sha256));
    await pipeline(body as Readable, tap, createWriteStream(tmp, { highWaterMark: 1 << 20 }));
    const got = hash.digest('hex');
    if (got !== entry.sha256 || size !== entry.size) {
      throw new VerdictError(
        `${entry.path}: stored blob is corrupt (sha256 ${got.slice(0, 12)}…, ${size} bytes; expected ${entry.sha256.slice(0, 12)}…, ${entry.size} bytes); run 'mlctl verify' and re-register from the original files`,
      );
    }
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    if (err instanceof MlctlError) throw err;
    if (isFsError(err)) throw fsFailure(err, `(pulling ${entry.path})`);
    throw new StorageError(`cannot download ${entry.path}: ${(err as Error).message}`, { cause: err });
  } finally {
    untrackTemp(tmp);
  }
}

/**
 * A pull that failed part-way leaves no partial destination: a folder it created is removed whole;
 * in a folder that was there before, the files it added (and the sub-folders it made) are removed.
 */
async function undoPartialPull(root: string, rootExisted: boolean, placed: string[]): Promise<void> {
  if (!rootExisted) return void (await rm(root, { recursive: true, force: true }));
  for (const f of placed) {
    await rm(f, { force: true });
    // Sub-folders the pull made are empty again: remove them up to the destination (rmdir refuses non-empty ones).
    for (let d = dirname(f); d !== root && d.startsWith(root + sep); d = dirname(d)) {
      if (
        !(await rmdir(d).then(
          () => true,
          () => false,
        ))
      )
        break;
    }
  }
}

export async function pullVersion(
  ctx: { registry: Registry; store: BlobStore; cwd: string; progress?: Progress; hashCache?: HashCache },
  ref: string,
  to?: string,
  opts: { force?: boolean } = {},
): Promise<PullResult> {
  if (to !== undefined && to.trim() === '')
    throw new UsageError('--to needs a folder path (--to . for the working directory)');
  const v = await resolveRef(ctx.registry, ref, { allowBare: true });
  const label = to ?? `${v.model}-${v.version}`;
  const entries = await ctx.registry.artifacts(v.id);
  // Check every path and the manifest itself before writing anything.
  for (const e of entries) checkManifestPath(e.path);
  const wrong = await checkManifest(ctx, v, entries);
  if (wrong.length)
    throw new VerdictError(
      `${v.model}@${v.version}'s manifest does not hold: ${wrong.map((w) => w.detail).join('; ')}; nothing was pulled — run mlctl verify ${v.model}@${v.version}`,
    );
  const root = await prepareDestination(resolve(ctx.cwd, label), {
    what: to === undefined ? label : `--to ${label}`,
    ref: `${v.model}@${v.version}`,
    paths: entries.map((e) => e.path),
    force: !!opts.force,
  });
  const targets = entries.map((e) => {
    const dest = resolve(root, ...e.path.split('/'));
    if (escapesRoot(relative(root, dest), sep)) {
      throw new UsageError(
        `refusing unsafe path ${JSON.stringify(e.path)} in the manifest: it resolves outside ${root}`,
      );
    }
    return { e, dest };
  });
  const progress = ctx.progress ?? noProgress;
  progress.start(
    'downloading',
    entries.reduce((s, e) => s + e.size, 0),
    'bytes',
  );
  let bytes = 0;
  const hashing = newHashStats();
  const rootExisted = await stat(root).then(
    () => true,
    () => false,
  );
  const placed: string[] = [];
  let files;
  try {
    files = await mapLimit(
      targets,
      4,
      async ({ e, dest }) => {
        // lstat: a link at a version path is replaced by the file (rename does not follow it), never read through.
        const existing = await lstat(dest).catch(() => undefined);
        if (
          existing?.isFile() &&
          existing.size === e.size &&
          (await sha256Local(dest, { cache: ctx.hashCache, stats: hashing })).sha256 === e.sha256
        ) {
          progress.tick(e.size);
          return { ...e, action: 'up-to-date' as const };
        }
        await downloadVerified(ctx.store, e, dest, (n) => progress.tick(n));
        if (!existing) placed.push(dest);
        bytes += e.size;
        return { ...e, action: 'downloaded' as const };
      },
      { settle: true },
    );
  } catch (err) {
    progress.stop();
    await undoPartialPull(root, rootExisted, placed);
    throw err;
  }
  progress.stop();
  ctx.hashCache?.flush();
  return { ref: `${v.model}@${v.version}`, to: root, files, bytesDownloaded: bytes, hashing };
}
