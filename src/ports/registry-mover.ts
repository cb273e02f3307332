import type { TransferPlan, TransferRoute } from '../core/registry/transfer-plan.js';

/** What a whole-registry copy did; every location is safe to print (no credentials). */
export interface MoveResult {
  from: string;
  to: string;
  route: TransferRoute;
  /** Rows per table in the copy. */
  rows: Record<string, number>;
  /** Audit events in the copy and its chain head (verified on both sides). */
  events: number;
  head: string | null;
  /** A file or S3 object was there before and was replaced (--force). */
  replaced: boolean;
  /** A lost S3 answer settled by a HEAD (for a note). */
  recovered?: string;
}

/** Moves a whole registry between backends (registry push/pull); the plan comes from core. */
export interface RegistryMover {
  move(plan: TransferPlan, opts: { force: boolean }): Promise<MoveResult>;
}
