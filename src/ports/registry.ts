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
}
