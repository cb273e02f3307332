import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { SMALL_FILE, sha256File, sha256SmallFile } from './digest.js';
import type { FileStamp, HashCache } from '../../ports/hash-cache.js';

/** What the hashing step did: how many files were read and how many digests came from the cache. */
export interface HashStats {
  files: number;
  cached: number;
  bytesRead: number;
}

export const newHashStats = (): HashStats => ({ files: 0, cached: 0, bytesRead: 0 });

/**
 * A file changed within this long before it was hashed could change again without its times
 * moving (time stamps advance in clock ticks), so its digest is not remembered ("racy git").
 * File systems with whole-second times get a longer window.
 */
const RACY_NS = 100_000_000n;
const RACY_COARSE_NS = 2_000_000_000n;

function stampOf(s: { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): FileStamp {
  return { dev: s.dev, ino: s.ino, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs };
}

const same = (a: FileStamp, b: FileStamp) =>
  a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;

function racy(s: FileStamp, nowMs: number): boolean {
  const newest = s.mtimeNs > s.ctimeNs ? s.mtimeNs : s.ctimeNs;
  const coarse = s.mtimeNs % 1_000_000_000n === 0n && s.ctimeNs % 1_000_000_000n === 0n;
  return BigInt(Math.floor(nowMs)) * 1_000_000n - newest < (coarse ? RACY_COARSE_NS : RACY_NS);
}

/**
 * sha256 of a local file, from the cache when its stamp (device, inode, size, mtime, ctime) is
 * exactly the one recorded; otherwise read, and remembered only if the stamp did not move while it
 * was read and is not racy. `now` is the wall clock (never the injected MLCTL_NOW).
 */
export async function sha256Local(
  file: string,
  o: {
    cache?: HashCache;
    stats?: HashStats;
    onBytes?: (n: number) => void;
    now?: () => number;
    /** The size seen when the file was listed: small files are stat'ed and read synchronously. */
    sizeHint?: number;
  } = {},
): Promise<{ sha256: string; size: number }> {
  const small = o.sizeHint !== undefined && o.sizeHint <= SMALL_FILE;
  const hash = small ? sha256SmallFile : sha256File;
  const statOf = async (f: string) => stampOf(small ? statSync(f, { bigint: true }) : await stat(f, { bigint: true }));
  const stats = o.stats;
  if (stats) stats.files++;
  if (!o.cache) {
    const h = await hash(file, o.onBytes);
    if (stats) stats.bytesRead += h.size;
    return h;
  }
  const before = await statOf(file);
  const hit = o.cache.get(before);
  if (hit) {
    if (stats) stats.cached++;
    o.onBytes?.(Number(before.size));
    return { sha256: hit, size: Number(before.size) };
  }
  const h = await hash(file, o.onBytes);
  if (stats) stats.bytesRead += h.size;
  const after = await statOf(file);
  if (same(before, after) && BigInt(h.size) === after.size && !racy(after, (o.now ?? Date.now)()))
    o.cache.put(after, h.sha256);
  return h;
}

/**
 * The store found `file`'s bytes differ from the digest it was given: drop what the cache remembers
 * for it, so that the next run hashes it again. Says what to do next.
 */
export async function forgetChanged(file: string, cache: HashCache | undefined): Promise<string> {
  if (!cache) return 'register again';
  const s = await stat(file, { bigint: true }).catch(() => undefined);
  if (s) cache.forget({ dev: s.dev, ino: s.ino });
  return 'its remembered digest was dropped from the hash cache; register again';
}
