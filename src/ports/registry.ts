/** The registry as core code sees it. The SQLite adapter implements it (locally or cached from S3). */

export const VERSION_STATUSES = ['registered', 'validated', 'staging', 'production', 'archived'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

export interface CodeInfo {
  commit: string | null;
  branch: string | null;
  dirty: boolean | null;
  remote: string | null;
}

export interface ArtifactEntry {
  path: string;
  size: number;
  sha256: string;
}

export interface MetricEntry {
  name: string;
  value: number;
  slice: string | null;
  datasetDigest: string | null;
  datasetName: string | null;
}

export interface VersionRecord {
  id: number;
  model: string;
  version: number;
  status: VersionStatus;
  manifestDigest: string;
  fileCount: number;
  totalSize: number;
  dataHash: string | null;
  code: CodeInfo;
  config: unknown;
  featureSchema: unknown;
  requirements: string | null;
  parent: { model: string; version: number } | null;
  description: string | null;
  createdAt: string;
  createdBy: string;
  /** When the status last changed (null: never since registration). */
  statusChangedAt: string | null;
}

export interface ModelSummary {
  name: string;
  description: string | null;
  createdAt: string;
  versions: number;
  latest: number | null;
  champion: number | null;
  byStatus: Partial<Record<VersionStatus, number>>;
}

export interface NewVersion {
  model: string;
  status: VersionStatus;
  manifestDigest: string;
  artifacts: ArtifactEntry[];
  metrics: Array<{ name: string; value: number; slice: string | null }>;
  dataset: { digest: string | null; name: string | null };
  dataHash: string | null;
  code: CodeInfo | null;
  config: unknown;
  featureSchema: unknown;
  requirements: string | null;
  parentId: number | null;
  tags: Record<string, string>;
  description: string | null;
  createdAt: string;
  createdBy: string;
}

export interface EventInput {
  at: string;
  actor: string;
  action: string;
  model: string | null;
  subject: string | null;
  payload: unknown;
}

export interface EventRecord extends EventInput {
  seq: number;
  prevHash: string;
  hash: string;
}

export interface GateRunInput {
  candidateId: number;
  baselineId: number | null;
  candidateManifest: string;
  baselineManifest: string | null;
  policyDigest: string;
  datasetDigest: string | null;
  source: 'metrics' | 'predictions' | 'eval';
  verdict: 'pass' | 'fail' | 'inconclusive';
  report: unknown;
  at: string;
  actor: string;
}

export interface GateRunRecord extends GateRunInput {
  id: number;
}

export interface EventFilter {
  model?: string;
  subject?: string;
  action?: string;
  actor?: string;
  since?: string;
  until?: string;
  limit?: number;
}

/** A stored event as written: payload still as its JSON text (for verification). */
export interface RawEvent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  model: string | null;
  subject: string | null;
  payload: string;
  prev_hash: string;
  hash: string;
}

export interface VersionFilter {
  status?: string;
  tag?: { key: string; value: string };
  limit?: number;
}

export type RolloutState = 'active' | 'paused' | 'completed' | 'aborted';

/** One stage of a plan as frozen into a rollout when it starts (later config edits do not change it). */
export interface RolloutStage {
  stage: 'shadow' | 'canary' | 'ramp' | 'full';
  weight?: number;
  mirror?: number;
  minDurationMs: number;
  checks: string[];
  auto: boolean;
}

export interface RolloutInput {
  model: string;
  candidateId: number;
  championId: number | null;
  planName: string;
  plan: RolloutStage[];
  step: number;
  state: RolloutState;
  stepStartedAt: string;
  candidateUri: string;
  championUri: string | null;
  gateRunId: number | null;
  adr: string | null;
  lastCommit: string | null;
  startedAt: string;
  startedBy: string;
}

export interface RolloutRecord extends RolloutInput {
  id: number;
  revision: number;
  lastChecks: unknown;
  outcome: string | null;
  updatedAt: string;
  endedAt: string | null;
}

export type RolloutPatch = Partial<
  Pick<RolloutRecord, 'step' | 'state' | 'stepStartedAt' | 'lastChecks' | 'lastCommit' | 'outcome' | 'endedAt' | 'adr'>
> & { updatedAt: string };

export interface Registry {
  readonly location: string;
  /** Run fn holding the database write lock; everything it writes commits or rolls back together. */
  write<T>(fn: () => Promise<T> | T): Promise<T>;
  close(): void;

  findModel(name: string): { id: number; name: string } | undefined;
  ensureModel(name: string, at: string, by: string): { id: number; created: boolean };
  listModels(): ModelSummary[];

  versionNumbers(model: string): number[];
  getVersion(model: string, version: number): VersionRecord | undefined;
  getVersionById(id: number): VersionRecord | undefined;
  latestVersion(model: string, opts?: { includeArchived?: boolean }): VersionRecord | undefined;
  listVersions(model: string, filter: VersionFilter): VersionRecord[];
  findDuplicate(model: string, manifestDigest: string, codeCommit: string | null): VersionRecord | undefined;
  insertVersion(v: NewVersion): VersionRecord;

  artifacts(versionId: number): ArtifactEntry[];
  metrics(versionId: number): MetricEntry[];
  tags(versionId: number): Record<string, string>;
  setTags(versionId: number, tags: Record<string, string>): void;
  setStatus(versionId: number, status: VersionStatus, at: string): void;

  aliasesOf(versionId: number): string[];
  aliases(model: string): Array<{ alias: string; version: number }>;
  resolveAlias(model: string, alias: string): number | undefined;
  setAlias(model: string, alias: string, versionId: number, at: string, by: string): { previous: number | null };
  removeAlias(model: string, alias: string): { previous: number | null };

  /** Every blob digest (hex) any version references. */
  referencedDigests(): Set<string>;

  insertGateRun(g: GateRunInput): number;
  gateRuns(candidateId: number): GateRunRecord[];
  getGateRun(id: number): GateRunRecord | undefined;

  events(filter: EventFilter): EventRecord[];
  /** Every event in sequence order, streamed. */
  rawEvents(): IterableIterator<RawEvent>;
  /**
   * Every event as [seq, canonical envelope text (payload as stored), hash], built by the store
   * itself so verifying a million events moves one string per row. The envelope follows
   * envelopeText(); a row it renders differently is re-checked from rawEvent().
   */
  chainRows(): IterableIterator<[number, string, string]>;
  rawEvent(seq: number): RawEvent | undefined;
  children(versionId: number): VersionRecord[];
  versionsByData(dataHash: string): VersionRecord[];

  /** The chain head, read inside write() so that appends are serialized. */
  lastEvent(): { seq: number; hash: string } | undefined;
  insertEvent(e: EventRecord): void;

  /** The model's active or paused rollout. */
  openRollout(model: string): RolloutRecord | undefined;
  rollouts(filter: { model?: string; open?: boolean; limit?: number }): RolloutRecord[];
  getRollout(id: number): RolloutRecord | undefined;
  insertRollout(r: RolloutInput): RolloutRecord;
  /** Apply `patch` only if the row is still at `revision` (returns false when another process moved it). */
  updateRollout(id: number, revision: number, patch: RolloutPatch): boolean;
  /** Record the latest check results; not a state change, so the revision stays. */
  setRolloutChecks(id: number, checks: unknown, at: string): void;
}
