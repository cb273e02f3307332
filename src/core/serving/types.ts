import type { Document } from 'yaml';
import type { ServingAdapterName } from './kinds.js';

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
}

export type ServingDocs = Document.Parsed[];

export interface ServingAdapter {
  readonly name: ServingAdapterName;
  readonly supportsShadow: boolean;
  /** The document kinds it reads or edits; every other document in a serving file is kept byte for byte. */
  readonly kinds: readonly string[];
  /** Edit the documents in place so they express `target`; everything else (comments, unknown fields) stays. */
  apply(docs: ServingDocs, target: TrafficTarget): ServingDocs;
  /** The adapter's own rules (beyond the CRD schema), as messages. */
  check(docs: ServingDocs): string[];
}
