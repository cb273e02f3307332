import { mapLimit } from '../util/map-limit.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Registry } from '../../ports/registry.js';

/**
 * Chain heads recorded outside the database (ADR 19): a field in every stored manifest and a
 * trailer on every mlctl GitOps commit. Each names the newest event committed before it was
 * written, so an anchor never points at an event that could still roll back.
 */
export const AUDIT_HEAD_TRAILER = 'Mlctl-Audit-Head';

export interface AuditHead {
  seq: number;
  hash: string;
}

export interface AuditAnchor extends AuditHead {
  /** Where it was recorded: `manifests/fraud/3.json`, `commit 1a2b3c4d5e (Mlctl-Audit-Head)`. */
  source: string;
}

/** The committed head; call inside registry.write(), before appending this write's own events. */
export async function committedHead(registry: Registry): Promise<AuditHead | null> {
  const last = await registry.lastEvent();
  return last ? { seq: last.seq, hash: last.hash } : null;
}

/** The trailers a GitOps commit carries for the head (none for an empty log). */
export async function auditHeadTrailer(registry: Registry): Promise<Record<string, string>> {
  const head = await committedHead(registry);
  return head ? { [AUDIT_HEAD_TRAILER]: `${head.seq} ${head.hash}` } : {};
}

export function parseAuditHead(value: unknown): AuditHead | null {
  if (typeof value === 'string') {
    const m = /^(\d+) ([0-9a-f]{64})$/.exec(value.trim());
    return m ? { seq: Number(m[1]), hash: m[2]! } : null;
  }
  const o = value as Partial<AuditHead> | null;
  if (o && Number.isSafeInteger(o.seq) && typeof o.hash === 'string' && /^[0-9a-f]{64}$/.test(o.hash))
    return { seq: o.seq!, hash: o.hash };
  return null;
}

/** Heads recorded in the stored manifests (manifests written before ADR 19 have none). */
export async function manifestAnchors(store: BlobStore): Promise<AuditAnchor[]> {
  const keys: string[] = [];
  for await (const o of store.list('manifests/')) if (o.key.endsWith('.json')) keys.push(o.key);
  const found = await mapLimit(keys, 16, async (key) => {
    const raw = await store.getBytes(key);
    if (!raw) return null;
    try {
      const head = parseAuditHead((JSON.parse(Buffer.from(raw).toString('utf8')) as { auditHead?: unknown }).auditHead);
      return head ? { ...head, source: key } : null;
    } catch {
      return null; // not JSON: verify reports the manifest itself
    }
  });
  return found.filter((a): a is AuditAnchor => a !== null);
}

/** Heads recorded in commit trailers, from `git log` output lines `<sha>\t<trailer value>`. */
export function trailerAnchors(lines: Array<{ commit: string; value: string }>): AuditAnchor[] {
  const out: AuditAnchor[] = [];
  for (const l of lines) {
    const head = parseAuditHead(l.value);
    if (head) out.push({ ...head, source: `commit ${l.commit.slice(0, 10)} (${AUDIT_HEAD_TRAILER})` });
  }
  return out;
}
