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
  /**
   * Replica counts at this stage, sized when the rollout started (serving.<model>.capacity): the
   * candidate for its share, the champion at full size. Absent: no capacity configuration.
   */
  replicas?: { candidate: number; champion: number };
  /** Longest the stage waits for its checks to pass; then tick holds or aborts (onTimeout). */
  maxDurationMs?: number;
  onTimeout?: 'hold' | 'abort';
}

export interface RolloutInput {
  /**
   * The rollout's name in git (the Mlctl-Rollout trailer): the id of the step that started it, made
   * before its commit (ADR 26). Rollouts started before keys existed have their row id as text.
   */
  key: string;
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
  /**
   * A step written but not yet in effect (JSON, core/rollout/pending.ts): a pull request awaiting
   * its merge (ADR 25) or a label awaiting its version's load (the two-push rule). null: none.
   */
  pending: unknown;
  outcome: string | null;
  updatedAt: string;
  endedAt: string | null;
}

export type RolloutPatch = Partial<
  Pick<
    RolloutRecord,
    'step' | 'state' | 'stepStartedAt' | 'lastChecks' | 'pending' | 'lastCommit' | 'outcome' | 'endedAt' | 'adr'
  >
> & { updatedAt: string };

/** What a recorded step did (the Mlctl-Action trailer of its commit). */
/**
 * `label`: the second push of the two-push rule (labels follow a loaded version); `cleanup`: the
 * step after full's window (the old champion scaled to zero, its version unloaded).
 */
export const STEP_ACTIONS = [
  'start',
  'advance',
  'complete',
  'abort',
  'promote',
  'rollback',
  'label',
  'cleanup',
] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

/**
 * One step that changed what serves production (ADR 9, 26), as the registry recorded it: its id is
 * the Mlctl-Step trailer of its GitOps commit, so the git history and the registry can be matched.
 */
export interface StepRecord {
  id: string;
  model: string;
  action: StepAction;
  /** The rollout's key (Mlctl-Rollout), for rollout steps. */
  rollout: string | null;
  /** The stage slug (Mlctl-Stage): canary-5, full, abort, rollback. */
  stage: string;
  commit: string | null;
  /** The audit chain's head once the step's events were appended. */
  seq: number;
  at: string;
  actor: string;
  /** `adopted`: its commit landed but its process died before recording it; a later command recorded it. */
  how: 'recorded' | 'adopted';
}

/** Cumulative counts of one side of a live comparison for the current stage. */
export interface LookCounts {
  events: number;
  trials: number;
}

/**
 * One evaluation ("look") of a live compare check (core/rollout/compare-check.ts), kept whatever it
 * decided: the counts, this look's interval, the running intersection after it, the verdict and the
 * parameters it was judged with. Looks below min_trials are kept too, with counted false.
 */
export interface CompareLookInput {
  rolloutId: number;
  /** Plan step (0-based) the look was taken in: each stage starts a new sequence. */
  step: number;
  check: string;
  at: string;
  actor: string;
  candidate: LookCounts;
  champion: LookCounts;
  /** d̂, positive when the candidate is worse; null when a side had no trials. */
  estimate: number | null;
  /** This look's half-width and interval; null when it did not count. */
  radius: number | null;
  lower: number | null;
  upper: number | null;
  /** The running intersection of the stage's counted looks after this one; null until one counted. */
  runLower: number | null;
  runUpper: number | null;
  counted: boolean;
  verdict: 'pass' | 'fail' | 'inconclusive';
  better: 'lower' | 'higher';
  margin: number;
  alpha: number;
  tau: number;
  minTrials: number;
}

export interface CompareLookRecord extends CompareLookInput {
  id: number;
}

/** SQLite's own check of a registry file (quick_check, or integrity_check when full). */
export interface IntegrityReport {
  ok: boolean;
  check: 'quick_check' | 'integrity_check';
  location: string;
  /** SQLite's first problems (at most 20); empty when ok. */
  problems: string[];
}

/**
 * Every method is asynchronous: the SQLite backends answer at once, a database server (PostgreSQL)
 * over the network. Anything that must be atomic across rows (version numbers, alias moves, the
 * audit chain head, rollout revisions) happens inside write() and is the backend's job.
 */
export interface Registry {
  readonly location: string;
  /**
   * Run fn holding the registry's write lock; everything it writes commits or rolls back together.
   * The lock is exclusive across processes and machines: no two write() bodies of one registry ever
   * run at the same time (SQLite: BEGIN IMMEDIATE; shared: the lock object; PostgreSQL: a
   * transaction-scoped advisory lock taken first). gc and register rely on this for side effects
   * outside the database — deleting and re-checking blobs (ADR 20) — so row-level isolation alone
   * (e.g. SERIALIZABLE without the lock) is not enough.
   */
  write<T>(fn: () => Promise<T> | T): Promise<T>;
  /**
   * Inside write(), before its first change: hold an exclusive lock on `scope` (e.g. one model's
   * GitOps changes) until the write ends, so that side effects outside the database (a git commit
   * of the serving files) happen one at a time per scope. Backends whose writes are exclusive
   * anyway (a SQLite file) do nothing.
   */
  exclusive(scope: string): Promise<void>;
  close(): Promise<void>;
  /**
   * Check the stored database itself (optional: a backend without such a check leaves it out, and
   * doctor and audit verify say it was skipped). `full`: the slower, complete check.
   */
  checkIntegrity?(opts?: { full?: boolean }): Promise<IntegrityReport>;
  /** A consistent copy of the whole registry in a local file (optional, like checkIntegrity). */
  backupTo?(dest: string): Promise<{ bytes: number }>;

  findModel(name: string): Promise<{ id: number; name: string } | undefined>;
  ensureModel(name: string, at: string, by: string): Promise<{ id: number; created: boolean }>;
  listModels(): Promise<ModelSummary[]>;

  versionNumbers(model: string): Promise<number[]>;
  getVersion(model: string, version: number): Promise<VersionRecord | undefined>;
  getVersionById(id: number): Promise<VersionRecord | undefined>;
  latestVersion(model: string, opts?: { includeArchived?: boolean }): Promise<VersionRecord | undefined>;
  listVersions(model: string, filter: VersionFilter): Promise<VersionRecord[]>;
  findDuplicate(model: string, manifestDigest: string, codeCommit: string | null): Promise<VersionRecord | undefined>;
  insertVersion(v: NewVersion): Promise<VersionRecord>;

  artifacts(versionId: number): Promise<ArtifactEntry[]>;
  metrics(versionId: number): Promise<MetricEntry[]>;
  tags(versionId: number): Promise<Record<string, string>>;
  setTags(versionId: number, tags: Record<string, string>): Promise<void>;
  setStatus(versionId: number, status: VersionStatus, at: string): Promise<void>;

  aliasesOf(versionId: number): Promise<string[]>;
  aliases(model: string): Promise<Array<{ alias: string; version: number }>>;
  resolveAlias(model: string, alias: string): Promise<number | undefined>;
  setAlias(
    model: string,
    alias: string,
    versionId: number,
    at: string,
    by: string,
  ): Promise<{ previous: number | null }>;
  removeAlias(model: string, alias: string): Promise<{ previous: number | null }>;

  /** Every blob digest (hex) any version references; inside write(), including every committed version. */
  referencedDigests(): Promise<Set<string>>;

  insertGateRun(g: GateRunInput): Promise<number>;
  gateRuns(candidateId: number): Promise<GateRunRecord[]>;
  getGateRun(id: number): Promise<GateRunRecord | undefined>;

  events(filter: EventFilter): Promise<EventRecord[]>;
  /** Every event in sequence order, streamed. */
  rawEvents(): AsyncIterable<RawEvent>;
  /**
   * Every event as [seq, canonical envelope text (payload as stored), hash], built by the store
   * itself so verifying a million events moves one string per row, in batches (one await per
   * batch, not per row). The envelope follows envelopeText(); a row it renders differently is
   * re-checked from rawEvent().
   */
  chainRows(): AsyncIterable<Array<[number, string, string]>>;
  rawEvent(seq: number): Promise<RawEvent | undefined>;
  children(versionId: number): Promise<VersionRecord[]>;
  versionsByData(dataHash: string): Promise<VersionRecord[]>;

  /** The chain head, read inside write() so that appends are serialized; `at` for clock checks. */
  lastEvent(): Promise<{ seq: number; hash: string; at: string } | undefined>;
  insertEvent(e: EventRecord): Promise<void>;

  /** The model's active or paused rollout. */
  openRollout(model: string): Promise<RolloutRecord | undefined>;
  rollouts(filter: { model?: string; open?: boolean; limit?: number }): Promise<RolloutRecord[]>;
  getRollout(id: number): Promise<RolloutRecord | undefined>;
  insertRollout(r: RolloutInput): Promise<RolloutRecord>;
  /** Apply `patch` only if the row is still at `revision` (returns false when another process moved it). */
  updateRollout(id: number, revision: number, patch: RolloutPatch): Promise<boolean>;
  /** Record the latest check results; not a state change, so the revision stays. */
  setRolloutChecks(id: number, checks: unknown, at: string): Promise<void>;

  /** Inside write(): a step done (or adopted); its id is unique. */
  recordStep(s: StepRecord): Promise<void>;
  getStep(id: string): Promise<StepRecord | undefined>;
  /**
   * The most recent step (by chain order) of a model or of a rollout (by key); `committed`: only
   * steps that made a GitOps commit.
   */
  lastStep(q: { model?: string; rollout?: string; committed?: boolean }): Promise<StepRecord | undefined>;

  /** Inside write(): store one look of a compare check; returns its id. */
  insertCompareLook(l: CompareLookInput): Promise<number>;
  /** A rollout's looks, oldest first; `step` and `check` narrow them to one stage or one check. */
  compareLooks(q: { rolloutId: number; step?: number; check?: string }): Promise<CompareLookRecord[]>;
}
