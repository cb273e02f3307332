import { canonicalJson } from '../canonical-json.js';
import { sha256Hex } from '../hashing/digest.js';
import type { EventInput, EventRecord, Registry } from '../../ports/registry.js';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * The canonical JSON of an event envelope built by concatenation, with the payload's canonical
 * text inserted as stored. Keys in sorted order: action, actor, at, model, payload, seq, subject.
 */
export function envelopeText(
  e: { seq: number; at: string; actor: string; action: string; model: string | null; subject: string | null },
  payloadCanonical: string,
): string {
  return `{"action":${JSON.stringify(e.action)},"actor":${JSON.stringify(e.actor)},"at":${JSON.stringify(e.at)},"model":${JSON.stringify(e.model)},"payload":${payloadCanonical},"seq":${e.seq},"subject":${JSON.stringify(e.subject)}}`;
}

/** hash = sha256(prev_hash ‖ canonical JSON of the event), so editing, removing or reordering a row breaks the chain. */
export function eventHash(prevHash: string, e: Omit<EventRecord, 'hash' | 'prevHash'>): string {
  return sha256Hex(
    prevHash +
      canonicalJson({
        seq: e.seq,
        at: e.at,
        actor: e.actor,
        action: e.action,
        model: e.model,
        subject: e.subject,
        payload: e.payload,
      }),
  );
}

/** Append one event to the chain. Must run inside registry.write() so the chain head cannot move under it. */
export async function appendEvent(registry: Registry, e: EventInput): Promise<EventRecord> {
  const last = await registry.lastEvent();
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const rec: EventRecord = { ...e, seq, prevHash, hash: '' };
  rec.hash = eventHash(prevHash, rec);
  await registry.insertEvent(rec);
  return rec;
}
