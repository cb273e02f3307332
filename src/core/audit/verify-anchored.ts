import { verifyChain, type ChainVerification } from './verify.js';
import { manifestAnchors, trailerAnchors, type AuditAnchor } from './anchors.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Registry } from '../../ports/registry.js';

export interface AnchorCheck {
  /** Distinct recorded heads compared with the chain. */
  checked: number;
  sources: { manifests: number; commits: number };
  /** The recorded head with the highest sequence number: the chain is covered up to it. */
  newest: AuditAnchor | null;
  problems: Array<{ seq: number; source: string; reason: string }>;
  /** Places whose heads could not be read (the store or the repository unreachable): not checked. */
  unread: string[];
}

export interface AnchoredVerification extends ChainVerification {
  anchors: AnchorCheck;
}

/**
 * The hash chain proves no row was edited, removed or reordered in between; it cannot prove that
 * nothing was cut from the end, nor that the whole chain was not rewritten with fresh hashes. The
 * heads recorded outside the database (ADR 19) can: every one must still be in the chain, unchanged.
 */
export async function verifyAudit(ctx: {
  registry: Registry;
  store?: () => Promise<BlobStore>;
  gitTrailers?: () => Promise<Array<{ commit: string; value: string }>>;
}): Promise<AnchoredVerification> {
  const chain = await verifyChain(ctx.registry);
  const check: AnchorCheck = {
    checked: 0,
    sources: { manifests: 0, commits: 0 },
    newest: null,
    problems: [],
    unread: [],
  };
  const anchors: AuditAnchor[] = [];
  if (ctx.store) {
    try {
      const found = await manifestAnchors(await ctx.store());
      check.sources.manifests = found.length;
      anchors.push(...found);
    } catch (err) {
      check.unread.push(`the stored manifests (${(err as Error).message})`);
    }
  }
  if (ctx.gitTrailers) {
    try {
      const found = trailerAnchors(await ctx.gitTrailers());
      check.sources.commits = found.length;
      anchors.push(...found);
    } catch (err) {
      check.unread.push(`the GitOps history (${(err as Error).message})`);
    }
  }
  // One check per distinct head; the first place that recorded it names it.
  const distinct = new Map<string, AuditAnchor>();
  for (const a of anchors) if (!distinct.has(`${a.seq} ${a.hash}`)) distinct.set(`${a.seq} ${a.hash}`, a);
  const last = await ctx.registry.lastEvent();
  for (const a of [...distinct.values()].sort((x, y) => x.seq - y.seq)) {
    check.checked++;
    if (!check.newest || a.seq > check.newest.seq) check.newest = a;
    const e = await ctx.registry.rawEvent(a.seq);
    if (!e)
      check.problems.push({
        seq: a.seq,
        source: a.source,
        reason: `event ${a.seq} recorded in ${a.source} is missing: the log ends at event ${last?.seq ?? 0} (events were removed from its end)`,
      });
    else if (e.hash !== a.hash)
      check.problems.push({
        seq: a.seq,
        source: a.source,
        reason: `event ${a.seq} differs from the one recorded in ${a.source}: the log was rewritten from there on`,
      });
  }
  return { ...chain, ok: chain.ok && check.problems.length === 0, anchors: check };
}
