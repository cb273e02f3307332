import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { verifyChain, type ChainVerification } from './verify.js';
import { verifyAudit, type AnchorCheck } from './verify-anchored.js';
import {
  checkRegistryIntegrity,
  describeIntegrity,
  restoreAdvice,
  type IntegrityOutcome,
} from '../registry/integrity.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Registry } from '../../ports/registry.js';

export interface AuditVerification extends ChainVerification {
  /** SQLite's check of the database under the chain: a chain read from damaged pages proves nothing. */
  integrity: IntegrityOutcome;
  /** The heads recorded outside the database (manifests, commit trailers); null when not reached. */
  anchors: AnchorCheck | null;
  /** Why it failed, in one line (empty when ok). */
  failure: string;
}

export interface AuditVerifyContext {
  open(): Promise<Registry>;
  location: string;
  full?: boolean;
  store?: () => Promise<BlobStore>;
  /** Every `Mlctl-Audit-Head` trailer value of the GitOps history; absent when there is no repository. */
  gitTrailers?: () => Promise<Array<{ commit: string; value: string }>>;
}

/**
 * `audit verify`: first the database itself (quick_check, or integrity_check with `full`), then the
 * hash chain, then every head recorded outside the database (ADR 19). A damaged database fails the
 * verification and its chain is not walked.
 */
export async function verifyAuditLog(ctx: AuditVerifyContext): Promise<AuditVerification> {
  const integrity = await checkRegistryIntegrity(ctx.open, { full: ctx.full, location: ctx.location });
  if (!integrity.ok)
    return {
      ok: false,
      events: 0,
      broken: null,
      head: null,
      integrity,
      anchors: null,
      failure: `${describeIntegrity(integrity)}; the audit chain was not checked — ${restoreAdvice(integrity.location)}`,
    };
  const registry = await ctx.open();
  const r =
    ctx.store || ctx.gitTrailers
      ? await verifyAudit({ registry, store: ctx.store, gitTrailers: ctx.gitTrailers })
      : { ...(await verifyChain(registry)), anchors: null };
  const failure = r.ok
    ? ''
    : r.broken
      ? `the audit log was tampered with at event ${r.broken.seq}: ${r.broken.reason}`
      : `the audit log no longer holds what was recorded outside it: ${r.anchors?.problems[0]?.reason ?? ''}`;
  return { ...r, integrity, failure };
}

/** Whose commit trailers to check: the one named (--git), else the project folder when it is a git repository. */
export function anchorRepository(root: string, named: string | undefined): string | null {
  if (named !== undefined) return named;
  return existsSync(join(root, '.git')) ? root : null;
}
