import { hash } from 'node:crypto';
import { envelopeText, eventHash, GENESIS_HASH } from './chain.js';
import type { Registry } from '../../ports/registry.js';

export interface ChainVerification {
  ok: boolean;
  events: number;
  /** The first sequence number at which the chain no longer holds, and why. */
  broken: { seq: number; reason: string } | null;
  head: string | null;
}

/** Recompute the hash chain: an edited, removed or reordered row breaks it at that row. */
export async function verifyChain(registry: Registry): Promise<ChainVerification> {
  let prev = GENESIS_HASH;
  let expectSeq = 1;
  let n = 0;
  for await (const batch of registry.chainRows())
    for (const [seq, envelope, stored] of batch) {
      n++;
      if (seq !== expectSeq) {
        return {
          ok: false,
          events: n,
          broken: {
            seq: expectSeq,
            reason: seq > expectSeq ? `event ${expectSeq} is missing (next is ${seq})` : `event ${seq} is out of order`,
          },
          head: prev,
        };
      }
      if (hash('sha256', prev + envelope) !== stored) {
        // Slow path: the exact check from the row's fields, with the precise reason.
        const e = (await registry.rawEvent(seq))!;
        if (e.prev_hash !== prev)
          return {
            ok: false,
            events: n,
            broken: { seq, reason: 'its prev_hash does not match the previous event (a row was removed or inserted)' },
            head: prev,
          };
        let h = hash('sha256', prev + envelopeText(e, e.payload));
        if (h !== e.hash) {
          let payload: unknown;
          try {
            payload = JSON.parse(e.payload);
          } catch {
            return { ok: false, events: n, broken: { seq, reason: 'its payload is not valid JSON' }, head: prev };
          }
          h = eventHash(prev, {
            seq,
            at: e.at,
            actor: e.actor,
            action: e.action,
            model: e.model,
            subject: e.subject,
            payload,
          });
        }
        if (h !== e.hash)
          return {
            ok: false,
            events: n,
            broken: { seq, reason: 'its content does not match its hash (the row was edited)' },
            head: prev,
          };
      }
      prev = stored;
      expectSeq++;
    }
  return { ok: true, events: n, broken: null, head: n ? prev : null };
}
