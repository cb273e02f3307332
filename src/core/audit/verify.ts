import { eventHash, GENESIS_HASH } from './chain.js';
import type { Registry } from '../../ports/registry.js';

export interface ChainVerification {
  ok: boolean;
  events: number;
  /** The first sequence number at which the chain no longer holds, and why. */
  broken: { seq: number; reason: string } | null;
  head: string | null;
}

/** Recompute the hash chain: an edited, removed or reordered row breaks it at that row. */
export function verifyChain(registry: Registry): ChainVerification {
  let prev = GENESIS_HASH;
  let expectSeq = 1;
  let n = 0;
  for (const e of registry.rawEvents()) {
    n++;
    if (e.seq !== expectSeq) {
      return { ok: false, events: n, broken: { seq: expectSeq, reason: e.seq > expectSeq ? `event ${expectSeq} is missing (next is ${e.seq})` : `event ${e.seq} is out of order` }, head: prev };
    }
    if (e.prev_hash !== prev) return { ok: false, events: n, broken: { seq: e.seq, reason: 'its prev_hash does not match the previous event (a row was removed or inserted)' }, head: prev };
    let payload: unknown;
    try {
      payload = JSON.parse(e.payload);
    } catch {
      return { ok: false, events: n, broken: { seq: e.seq, reason: 'its payload is not valid JSON' }, head: prev };
    }
    const h = eventHash(prev, { seq: e.seq, at: e.at, actor: e.actor, action: e.action, model: e.model, subject: e.subject, payload });
    if (h !== e.hash) return { ok: false, events: n, broken: { seq: e.seq, reason: 'its content does not match its hash (the row was edited)' }, head: prev };
    prev = e.hash;
    expectSeq++;
  }
  return { ok: true, events: n, broken: null, head: n ? prev : null };
}
