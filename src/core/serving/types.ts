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

/** Edits parsed Kubernetes-style YAML documents. */
export interface ServingAdapter {
  /** Absent on the YAML adapters; lets callers tell the two kinds apart. */
  readonly format?: 'yaml';
  readonly name: Exclude<ServingAdapterName, 'tfserving' | 'triton'>;
  readonly supportsShadow: boolean;
  /** The document kinds it reads or edits; every other document in a serving file is kept byte for byte. */
  readonly kinds: readonly string[];
  /** Edit the documents in place so they express `target`; everything else (comments, unknown fields) stays. */
  apply(docs: ServingDocs, target: TrafficTarget, options?: AdapterOptions): ServingDocs;
  /** The adapter's own rules (beyond the CRD schema), as messages. */
  check(docs: ServingDocs): string[];
}

/** A label that cannot move in this commit (two-push rule): the next step writes it once `version` is loaded. */
export interface PendingLabel {
  label: string;
  version: number;
}

export interface TextProtoOptions {
  /** The server runs with --allow_version_labels_for_unavailable_models: a new label may name a version it is loading. */
  allowUnavailableLabels: boolean;
}

export interface TextProtoResult {
  /** The whole file; every byte outside the model's own entry is the input's. */
  text: string;
  /** Labels still waiting for their version to load; empty when the file says all `target` asks for. */
  pendingLabels: PendingLabel[];
  /** What changed and why, for the step's output. */
  notes: string[];
}

/**
 * Edits one text-format protobuf file (TF Serving's models.config, Triton's config.pbtxt) as a pure
 * transform of its text. These servers split no traffic themselves: a router companion adapter does.
 */
export interface TextProtoAdapter {
  readonly format: 'textproto';
  readonly name: 'tfserving' | 'triton';
  /** Mirroring is the router's job (serving.<model>.router), never the model server's. */
  readonly supportsShadow: false;
  /** The example under templates/serving/. */
  readonly example: string;
  /** The file as it should be after this commit; throws a located UsageError for a bad input file. */
  apply(text: string, file: string, target: TrafficTarget, options: TextProtoOptions): TextProtoResult;
}

export type AnyServingAdapter = ServingAdapter | TextProtoAdapter;
