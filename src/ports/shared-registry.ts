/** Who holds the shared registry's lock object, as written in it. */
export interface SharedLock {
  id: string;
  actor: string;
  host: string;
  pid: number;
  command: string;
  created: string;
  expires: string;
}

export interface SharedRegistryStatus {
  uri: string;
  remote: { etag: string; size: number } | null;
  lock: (SharedLock & { expired: boolean }) | null;
}

/** Administration of a registry shared on S3: its lock, and moving it between a local file and S3. */
export interface SharedRegistryAdmin {
  readonly uri: string;
  status(now: Date): Promise<SharedRegistryStatus>;
  /** Remove the lock with this id (never someone else's newer one); returns what it said. */
  unlock(id: string): Promise<SharedLock>;
  /** `recovered`: a lost answer was settled by a HEAD (what happened, for a note). */
  push(local: string, force: boolean): Promise<{ etag: string; replaced: boolean; recovered?: string }>;
  pull(local: string, force: boolean): Promise<{ etag: string; size: number }>;
}
