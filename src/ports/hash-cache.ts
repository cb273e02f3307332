/**
 * Remembered sha256 digests of local files, keyed by what the file system says about them (like
 * DVC's state database): the same device, inode, size, modification and change times (ns) mean the
 * same bytes. A cache never decides anything on its own: a miss, or any doubt, means hashing again.
 */
export interface FileStamp {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

export interface HashCache {
  /** The hex sha256 recorded for exactly this stamp; undefined on a miss or an unusable entry. */
  get(stamp: FileStamp): string | undefined;
  /** Drop what is remembered for this file (device, inode): its digest proved wrong. Never throws. */
  forget(stamp: Pick<FileStamp, 'dev' | 'ino'>): void;
  /** Record a digest; kept in memory until flush(). */
  put(stamp: FileStamp, sha256: string): void;
  /** Write what put() recorded; never throws (a cache that cannot be written is only slower). */
  flush(): void;
  close(): void;
  /** Why the cache is off for this run (unreadable or foreign file), for one warning. */
  readonly problem: string | undefined;
}
