import type { Document } from 'yaml';

/** What the serving config should say after a rollout step. */
export interface TrafficTarget {
  model: string;
  /** The production version and the folder URI it serves from. */
  champion: { version: number; uri: string };
  /** The version being rolled out, when there is one. */
  candidate?: { version: number; uri: string };
  /** Share of live traffic (0–100) routed to the candidate. */
  weight?: number;
  /** Share of traffic copied (0–100) to the candidate, responses discarded. */
  mirror?: number;
  /**
   * Replica counts (whole numbers ≥ 0) for the champion's and the candidate's version. Written only
   * when given, each where its platform reads it; absent, an adapter writes no replica count at all
   * (serving without a capacity configuration is unchanged). At `full` (weight 100), `champion` is
   * the old champion: above 0 it stays up without traffic (a rollback finds it warm), 0 or absent
   * it goes. See each adapter for what it can express.
   */
  replicas?: { champion?: number; candidate?: number };
}

/** Per-model settings an adapter may need beyond the target (from `serving.<model>` in mlctl.yaml). */
export interface AdapterOptions {
  /** istio: the Deployments whose `spec.replicas` mlctl may set, matched to versions by pod label. */
  deployments?: readonly string[];
}

export type ServingDocs = Document.Parsed[];

export interface ServingAdapter {
  readonly name: 'kserve' | 'istio' | 'seldon' | 'generic';
  readonly supportsShadow: boolean;
  /** The document kinds it reads or edits; every other document in a serving file is kept byte for byte. */
  readonly kinds: readonly string[];
  /** Edit the documents in place so they express `target`; everything else (comments, unknown fields) stays. */
  apply(docs: ServingDocs, target: TrafficTarget, options?: AdapterOptions): ServingDocs;
  /** The adapter's own rules (beyond the CRD schema), as messages. */
  check(docs: ServingDocs): string[];
}
