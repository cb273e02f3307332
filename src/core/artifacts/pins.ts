import { randomBytes } from 'node:crypto';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Clock } from '../../ports/clock.js';

/**
 * A pin says "a register is about to reference these blobs": gc leaves pinned blobs and their
 * uploads in progress alone (ADR 20). Pins live in the artifact store itself, next to the blobs, so
 * every registry backend and every store get the same protection without a schema change. A pin
 * only makes the race rare; the guarantee comes from register re-checking its blobs under the
 * registry's write lock.
 */
export const PIN_PREFIX = 'pins/';
/**
 * A live register rewrites its pin every PIN_TTL_MS / 3, so a pin outlives a killed register by at
 * most PIN_TTL_MS: its partial uploads then become gc's to remove like any other.
 */
export const PIN_TTL_MS = 15 * 60_000;

export interface PinFile {
  schema: 'mlctl.pin/v1';
  createdAt: string;
  expiresAt: string;
  actor: string;
  purpose: string;
  digests: string[];
}

export interface HeldPin {
  key: string;
  release(): Promise<void>;
}

export async function pinBlobs(
  ctx: { store: BlobStore; clock: Clock; actor: string },
  digests: string[],
  purpose: string,
): Promise<HeldPin> {
  const created = ctx.clock.now();
  const key = `${PIN_PREFIX}${created.toISOString().replace(/[:.]/g, '')}-${randomBytes(6).toString('hex')}.json`;
  const write = () => {
    const now = ctx.clock.now();
    const pin: PinFile = {
      schema: 'mlctl.pin/v1',
      createdAt: created.toISOString(),
      expiresAt: new Date(now.getTime() + PIN_TTL_MS).toISOString(),
      actor: ctx.actor,
      purpose,
      digests,
    };
    return ctx.store.putBytes(key, Buffer.from(JSON.stringify(pin)), 'application/json');
  };
  await write();
  let released = false;
  let refreshing: Promise<void> = Promise.resolve();
  // A failed refresh only shortens the protection; correctness rests on the re-check (ADR 20).
  const timer = setInterval(() => {
    refreshing = write().catch(() => undefined);
  }, PIN_TTL_MS / 3);
  timer.unref();
  return {
    key,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await refreshing;
      // Best effort: a pin that cannot be removed expires on its own.
      await ctx.store.delete(key).catch(() => undefined);
    },
  };
}

export interface PinScan {
  /** Every digest a live pin protects. */
  digests: Set<string>;
  live: number;
  /** Keys of pins past their expiry (or unreadable and older than the TTL): gc removes them. */
  expired: string[];
}

/** Read every pin. Call it under the registry's write lock, just before deciding what to delete. */
export async function readPins(store: BlobStore, now: Date): Promise<PinScan> {
  const out: PinScan = { digests: new Set(), live: 0, expired: [] };
  for await (const o of store.list(PIN_PREFIX)) {
    const raw = await store.getBytes(o.key);
    if (!raw) continue; // released meanwhile
    let pin: Partial<PinFile> | undefined;
    try {
      pin = JSON.parse(Buffer.from(raw).toString('utf8')) as Partial<PinFile>;
    } catch {
      pin = undefined;
    }
    const expires = pin?.expiresAt ? Date.parse(pin.expiresAt) : Number.NaN;
    const age = o.lastModified ? now.getTime() - o.lastModified.getTime() : 0;
    if (!pin || !Array.isArray(pin.digests) || !Number.isFinite(expires)) {
      // Unreadable: keep honouring nothing from it, and tidy it once it is surely stale.
      if (age > PIN_TTL_MS) out.expired.push(o.key);
      continue;
    }
    if (expires <= now.getTime()) {
      out.expired.push(o.key);
      continue;
    }
    out.live++;
    for (const d of pin.digests) if (typeof d === 'string') out.digests.add(d);
  }
  return out;
}
