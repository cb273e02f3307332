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

/** Administration of a registry shared on S3: its lock (moving registries: ports/registry-mover.ts). */
export interface SharedRegistryAdmin {
  readonly uri: string;
  status(now: Date): Promise<SharedRegistryStatus>;
  /** Remove the lock with this id (never someone else's newer one); returns what it said. */
  unlock(id: string): Promise<SharedLock>;
}
