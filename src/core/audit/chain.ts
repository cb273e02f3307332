import { canonicalJson } from '../canonical-json.js';
import { sha256Hex } from '../hashing/digest.js';
import type { EventInput, EventRecord, Registry } from '../../ports/registry.js';

export const GENESIS_HASH = '0'.repeat(64);

/** hash = sha256(prev_hash ‖ canonical JSON of the event), so editing, removing or reordering a row breaks the chain. */
export function eventHash(prevHash: string, e: Omit<EventRecord, 'hash' | 'prevHash'>): string {
  return sha256Hex(
    prevHash +
      canonicalJson({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, model: e.model, subject: e.subject, payload: e.payload }),
  );
}

/** Append one event to the chain. Must run inside registry.write() so the chain head cannot move under it. */
export function appendEvent(registry: Registry, e: EventInput): EventRecord {
  const last = registry.lastEvent();
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const rec: EventRecord = { ...e, seq, prevHash, hash: '' };
  rec.hash = eventHash(prevHash, rec);
  registry.insertEvent(rec);
  return rec;
}
