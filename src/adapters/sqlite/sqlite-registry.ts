import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { StorageError, UsageError } from '../../core/errors.js';
import type {
  ArtifactEntry,
  EventFilter,
  EventRecord,
  RawEvent,
  RolloutInput,
  RolloutPatch,
  RolloutRecord,
  GateRunInput,
  GateRunRecord,
  MetricEntry,
  ModelSummary,
  NewVersion,
  Registry,
  VersionFilter,
  VersionRecord,
  VersionStatus,
} from '../../ports/registry.js';

type Row = Record<string, unknown>;

const VERSION_COLUMNS = `v.id, m.name AS model, v.version, v.status, v.manifest_digest, v.file_count, v.total_size,
  v.data_hash, v.code_commit, v.code_branch, v.code_dirty, v.code_remote, v.config, v.feature_schema,
  v.requirements, pm.name AS parent_model, p.version AS parent_version, v.description, v.created_at, v.created_by, v.status_changed_at`;
const VERSION_FROM = `versions v JOIN models m ON m.id = v.model_id
  LEFT JOIN versions p ON p.id = v.parent_id LEFT JOIN models pm ON pm.id = p.model_id`;

function toVersion(r: Row): VersionRecord {
  const json = (s: unknown) => (typeof s === 'string' ? JSON.parse(s) : null);
  return {
    id: r.id as number,
    model: r.model as string,
    version: r.version as number,
    status: r.status as VersionStatus,
    manifestDigest: r.manifest_digest as string,
    fileCount: r.file_count as number,
    totalSize: r.total_size as number,
    dataHash: (r.data_hash as string | null) ?? null,
    code: {
      commit: (r.code_commit as string | null) ?? null,
      branch: (r.code_branch as string | null) ?? null,
      dirty: r.code_dirty == null ? null : r.code_dirty === 1,
      remote: (r.code_remote as string | null) ?? null,
    },
    config: json(r.config),
    featureSchema: json(r.feature_schema),
    requirements: (r.requirements as string | null) ?? null,
    parent: r.parent_model ? { model: r.parent_model as string, version: r.parent_version as number } : null,
    description: (r.description as string | null) ?? null,
    createdAt: r.created_at as string,
    createdBy: r.created_by as string,
    statusChangedAt: (r.status_changed_at as string | null) ?? null,
  };
}

function toRollout(r: Row): RolloutRecord {
  return {
    id: r.id as number,
    model: r.model as string,
    candidateId: r.candidate_id as number,
    championId: (r.champion_id as number | null) ?? null,
    planName: r.plan_name as string,
    plan: JSON.parse(r.plan as string),
    step: r.step as number,
    state: r.state as RolloutRecord['state'],
    stepStartedAt: r.step_started_at as string,
    candidateUri: r.candidate_uri as string,
    championUri: (r.champion_uri as string | null) ?? null,
    gateRunId: (r.gate_run_id as number | null) ?? null,
    adr: (r.adr as string | null) ?? null,
    revision: r.revision as number,
    lastChecks: r.last_checks ? JSON.parse(r.last_checks as string) : null,
    lastCommit: (r.last_commit as string | null) ?? null,
    outcome: (r.outcome as string | null) ?? null,
    startedAt: r.started_at as string,
    startedBy: r.started_by as string,
    updatedAt: r.updated_at as string,
    endedAt: (r.ended_at as string | null) ?? null,
  };
}

const ROLLOUT_COLUMNS: Record<keyof Omit<RolloutPatch, never>, string> = {
  step: 'step',
  state: 'state',
  stepStartedAt: 'step_started_at',
  lastChecks: 'last_checks',
  lastCommit: 'last_commit',
  outcome: 'outcome',
  endedAt: 'ended_at',
  adr: 'adr',
  updatedAt: 'updated_at',
};

export interface OpenOptions {
  /** Create the file and apply migrations when missing (write commands); read commands refuse a missing file. */
  create?: boolean;
  readonly?: boolean;
  busyTimeoutMs?: number;
  /** 'delete' keeps the whole database in the one file after each commit (a copy to upload). */
  journal?: 'wal' | 'delete';
  /** Where the database really lives, for messages (a cached copy of s3://… names the S3 URI). */
  location?: string;
}

export class SqliteRegistry implements Registry {
  readonly location: string;
  private readonly db: Database.Database;
  private readonly stmts = new Map<string, Database.Statement>();
  private inWrite = false;

  private constructor(file: string, db: Database.Database) {
    this.location = file;
    this.db = db;
  }

  static open(file: string, opts: OpenOptions = {}): SqliteRegistry {
    let db: Database.Database;
    try {
      if (opts.create) mkdirSync(dirname(file), { recursive: true });
      db = new Database(file, { fileMustExist: !opts.create, timeout: opts.busyTimeoutMs ?? 30_000 });
    } catch (err) {
      const msg = (err as Error).message;
      if (/unable to open|does not exist|SQLITE_CANTOPEN/i.test(msg)) {
        throw new UsageError(`registry ${file} does not exist; run 'mlctl init --yes' or register a model first`);
      }
      throw new StorageError(`cannot open registry ${file}: ${msg}`, { cause: err });
    }
    try {
      db.pragma(opts.journal === 'delete' ? 'journal_mode = DELETE' : 'journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma(opts.journal === 'delete' ? 'synchronous = FULL' : 'synchronous = NORMAL');
      const reg = new SqliteRegistry(opts.location ?? file, db);
      reg.migrate();
      return reg;
    } catch (err) {
      db.close();
      if (err instanceof StorageError || err instanceof UsageError) throw err;
      throw new StorageError(`cannot open registry ${file}: ${(err as Error).message}; is it an mlctl registry?`, {
        cause: err,
      });
    }
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new StorageError(
        `registry ${this.location} has schema version ${current}, newer than this mlctl understands (${MIGRATIONS.length}); upgrade mlctl`,
      );
    }
    if (current === MIGRATIONS.length) return;
    // IMMEDIATE so that two processes opening a fresh registry do not both migrate.
    this.db.exec('BEGIN IMMEDIATE');
    try {
      let v = this.db.pragma('user_version', { simple: true }) as number;
      for (; v < MIGRATIONS.length; v++) {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      }
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  private q(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  async write<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.inWrite) return fn();
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      throw new StorageError(
        `registry ${this.location} is locked by another writer: ${(err as Error).message}; retry`,
        { cause: err },
      );
    }
    this.inWrite = true;
    try {
      const result = await fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    } finally {
      this.inWrite = false;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** A consistent single-file copy (no WAL), e.g. to upload as a shared registry. */
  snapshotTo(path: string): void {
    this.db.prepare('VACUUM INTO ?').run(path);
  }

  findModel(name: string): { id: number; name: string } | undefined {
    return this.q('SELECT id, name FROM models WHERE name = ?').get(name) as { id: number; name: string } | undefined;
  }

  ensureModel(name: string, at: string, by: string): { id: number; created: boolean } {
    const found = this.findModel(name);
    if (found) return { id: found.id, created: false };
    const r = this.q('INSERT INTO models(name, created_at, created_by) VALUES (?, ?, ?)').run(name, at, by);
    return { id: Number(r.lastInsertRowid), created: true };
  }

  listModels(): ModelSummary[] {
    const rows = this.q(
      `SELECT m.id, m.name, m.description, m.created_at,
              (SELECT max(version) FROM versions WHERE model_id = m.id) AS latest,
              (SELECT v.version FROM aliases a JOIN versions v ON v.id = a.version_id WHERE a.model_id = m.id AND a.alias = 'champion') AS champion
         FROM models m ORDER BY m.name`,
    ).all() as Row[];
    const counts = this.q(
      'SELECT model_id, status, count(*) AS n FROM versions GROUP BY model_id, status',
    ).all() as Row[];
    return rows.map((r) => {
      const byStatus: ModelSummary['byStatus'] = {};
      let total = 0;
      for (const c of counts) {
        if (c.model_id === r.id) {
          byStatus[c.status as VersionStatus] = c.n as number;
          total += c.n as number;
        }
      }
      return {
        name: r.name as string,
        description: (r.description as string | null) ?? null,
        createdAt: r.created_at as string,
        versions: total,
        latest: (r.latest as number | null) ?? null,
        champion: (r.champion as number | null) ?? null,
        byStatus,
      };
    });
  }

  versionNumbers(model: string): number[] {
    return (
      this.q(
        'SELECT v.version FROM versions v JOIN models m ON m.id = v.model_id WHERE m.name = ? ORDER BY v.version',
      ).all(model) as Row[]
    ).map((r) => r.version as number);
  }

  getVersion(model: string, version: number): VersionRecord | undefined {
    const r = this.q(`SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE m.name = ? AND v.version = ?`).get(
      model,
      version,
    ) as Row | undefined;
    return r ? toVersion(r) : undefined;
  }

  getVersionById(id: number): VersionRecord | undefined {
    const r = this.q(`SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE v.id = ?`).get(id) as Row | undefined;
    return r ? toVersion(r) : undefined;
  }

  latestVersion(model: string, opts: { includeArchived?: boolean } = {}): VersionRecord | undefined {
    const sql = `SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE m.name = ? ${opts.includeArchived === false ? "AND v.status <> 'archived'" : ''} ORDER BY v.version DESC LIMIT 1`;
    const r = this.q(sql).get(model) as Row | undefined;
    return r ? toVersion(r) : undefined;
  }

  listVersions(model: string, filter: VersionFilter): VersionRecord[] {
    const where = ['m.name = ?'];
    const args: unknown[] = [model];
    if (filter.status) {
      where.push('v.status = ?');
      args.push(filter.status);
    }
    if (filter.tag) {
      where.push('EXISTS (SELECT 1 FROM tags t WHERE t.version_id = v.id AND t.key = ? AND t.value = ?)');
      args.push(filter.tag.key, filter.tag.value);
    }
    const limit = filter.limit ? `LIMIT ${Math.floor(filter.limit)}` : '';
    const rows = this.q(
      `SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE ${where.join(' AND ')} ORDER BY v.version DESC ${limit}`,
    ).all(...args) as Row[];
    return rows.map(toVersion);
  }

  findDuplicate(model: string, manifestDigest: string, codeCommit: string | null): VersionRecord | undefined {
    const r = this.q(
      `SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE m.name = ? AND v.manifest_digest = ? AND v.code_commit IS ? ORDER BY v.version LIMIT 1`,
    ).get(model, manifestDigest, codeCommit) as Row | undefined;
    return r ? toVersion(r) : undefined;
  }

  insertVersion(n: NewVersion): VersionRecord {
    if (!this.inWrite) throw new Error('insertVersion outside write()');
    const model = this.ensureModel(n.model, n.createdAt, n.createdBy);
    const next =
      ((this.q('SELECT max(version) AS v FROM versions WHERE model_id = ?').get(model.id) as Row).v as number | null) ??
      0;
    const totalSize = n.artifacts.reduce((s, a) => s + a.size, 0);
    const r = this.q(
      `INSERT INTO versions(model_id, version, status, manifest_digest, file_count, total_size, data_hash, code_commit, code_branch,
         code_dirty, code_remote, config, feature_schema, requirements, parent_id, description, created_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      model.id,
      next + 1,
      n.status,
      n.manifestDigest,
      n.artifacts.length,
      totalSize,
      n.dataHash,
      n.code?.commit ?? null,
      n.code?.branch ?? null,
      n.code?.dirty == null ? null : n.code.dirty ? 1 : 0,
      n.code?.remote ?? null,
      n.config == null ? null : JSON.stringify(n.config),
      n.featureSchema == null ? null : JSON.stringify(n.featureSchema),
      n.requirements,
      n.parentId,
      n.description,
      n.createdAt,
      n.createdBy,
    );
    const id = Number(r.lastInsertRowid);
    const art = this.q('INSERT INTO artifacts(version_id, path, size, sha256) VALUES (?, ?, ?, ?)');
    for (const a of n.artifacts) art.run(id, a.path, a.size, a.sha256);
    const met = this.q(
      'INSERT INTO metrics(version_id, slice, name, value, dataset_digest, dataset_name) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const m of n.metrics) met.run(id, m.slice ?? '', m.name, m.value, n.dataset.digest, n.dataset.name);
    this.setTags(id, n.tags);
    return this.getVersionById(id)!;
  }

  artifacts(versionId: number): ArtifactEntry[] {
    return this.q('SELECT path, size, sha256 FROM artifacts WHERE version_id = ? ORDER BY path').all(
      versionId,
    ) as ArtifactEntry[];
  }

  metrics(versionId: number): MetricEntry[] {
    const rows = this.q(
      'SELECT name, value, slice, dataset_digest, dataset_name FROM metrics WHERE version_id = ? ORDER BY slice, name',
    ).all(versionId) as Row[];
    return rows.map((r) => ({
      name: r.name as string,
      value: r.value as number,
      slice: r.slice === '' ? null : (r.slice as string),
      datasetDigest: (r.dataset_digest as string | null) ?? null,
      datasetName: (r.dataset_name as string | null) ?? null,
    }));
  }

  tags(versionId: number): Record<string, string> {
    const out: Record<string, string> = {};
    for (const r of this.q('SELECT key, value FROM tags WHERE version_id = ? ORDER BY key').all(versionId) as Row[]) {
      out[r.key as string] = r.value as string;
    }
    return out;
  }

  setTags(versionId: number, tags: Record<string, string>): void {
    const up = this.q(
      'INSERT INTO tags(version_id, key, value) VALUES (?, ?, ?) ON CONFLICT(version_id, key) DO UPDATE SET value = excluded.value',
    );
    for (const [k, v] of Object.entries(tags)) up.run(versionId, k, v);
  }

  setStatus(versionId: number, status: VersionStatus, at: string): void {
    this.q('UPDATE versions SET status = ?, status_changed_at = ? WHERE id = ?').run(status, at, versionId);
  }

  aliasesOf(versionId: number): string[] {
    return (this.q('SELECT alias FROM aliases WHERE version_id = ? ORDER BY alias').all(versionId) as Row[]).map(
      (r) => r.alias as string,
    );
  }

  aliases(model: string): Array<{ alias: string; version: number }> {
    return this.q(
      `SELECT a.alias, v.version FROM aliases a JOIN models m ON m.id = a.model_id JOIN versions v ON v.id = a.version_id
        WHERE m.name = ? ORDER BY a.alias`,
    ).all(model) as Array<{ alias: string; version: number }>;
  }

  resolveAlias(model: string, alias: string): number | undefined {
    const r = this.q(
      `SELECT v.version FROM aliases a JOIN models m ON m.id = a.model_id JOIN versions v ON v.id = a.version_id WHERE m.name = ? AND a.alias = ?`,
    ).get(model, alias) as Row | undefined;
    return r ? (r.version as number) : undefined;
  }

  setAlias(model: string, alias: string, versionId: number, at: string, by: string): { previous: number | null } {
    const m = this.findModel(model);
    if (!m) throw new Error(`unknown model ${model}`);
    const previous = this.resolveAlias(model, alias) ?? null;
    this.q(
      `INSERT INTO aliases(model_id, alias, version_id, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(model_id, alias) DO UPDATE SET version_id = excluded.version_id, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ).run(m.id, alias, versionId, at, by);
    return { previous };
  }

  removeAlias(model: string, alias: string): { previous: number | null } {
    const previous = this.resolveAlias(model, alias) ?? null;
    this.q('DELETE FROM aliases WHERE model_id = (SELECT id FROM models WHERE name = ?) AND alias = ?').run(
      model,
      alias,
    );
    return { previous };
  }

  referencedDigests(): Set<string> {
    const out = new Set<string>();
    for (const r of this.q('SELECT DISTINCT sha256 FROM artifacts').iterate() as Iterable<Row>)
      out.add(r.sha256 as string);
    return out;
  }

  insertGateRun(g: GateRunInput): number {
    if (!this.inWrite) throw new Error('insertGateRun outside write()');
    const r = this.q(
      `INSERT INTO gate_runs(candidate_id, baseline_id, candidate_manifest, baseline_manifest, policy_digest, dataset_digest, source, verdict, report, at, actor)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      g.candidateId,
      g.baselineId,
      g.candidateManifest,
      g.baselineManifest,
      g.policyDigest,
      g.datasetDigest,
      g.source,
      g.verdict,
      JSON.stringify(g.report),
      g.at,
      g.actor,
    );
    return Number(r.lastInsertRowid);
  }

  gateRuns(candidateId: number): GateRunRecord[] {
    const rows = this.q('SELECT * FROM gate_runs WHERE candidate_id = ? ORDER BY id DESC').all(candidateId) as Row[];
    return rows.map(toGateRun);
  }

  getGateRun(id: number): GateRunRecord | undefined {
    const r = this.q('SELECT * FROM gate_runs WHERE id = ?').get(id) as Row | undefined;
    return r ? toGateRun(r) : undefined;
  }

  events(f: EventFilter): EventRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const eq = (col: string, v: string | undefined) => {
      if (v !== undefined) {
        where.push(`${col} = ?`);
        args.push(v);
      }
    };
    eq('model', f.model);
    eq('subject', f.subject);
    eq('action', f.action);
    eq('actor', f.actor);
    if (f.since) {
      where.push('at >= ?');
      args.push(f.since);
    }
    if (f.until) {
      where.push('at < ?');
      args.push(f.until);
    }
    const sql = `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC ${f.limit ? `LIMIT ${Math.floor(f.limit)}` : ''}`;
    return (this.q(sql).all(...args) as RawEvent[]).map((r) => ({
      seq: r.seq,
      at: r.at,
      actor: r.actor,
      action: r.action,
      model: r.model,
      subject: r.subject,
      payload: JSON.parse(r.payload),
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }

  *rawEvents(): IterableIterator<RawEvent> {
    const stmt = this.db
      .prepare('SELECT seq, at, actor, action, model, subject, payload, prev_hash, hash FROM events ORDER BY seq')
      .raw(true);
    for (const r of stmt.iterate() as IterableIterator<unknown[]>) {
      yield {
        seq: r[0] as number,
        at: r[1] as string,
        actor: r[2] as string,
        action: r[3] as string,
        model: r[4] as string | null,
        subject: r[5] as string | null,
        payload: r[6] as string,
        prev_hash: r[7] as string,
        hash: r[8] as string,
      };
    }
  }

  chainRows(): IterableIterator<[number, string, string]> {
    // Same text as envelopeText() in core/audit/chain.ts, assembled by SQLite's JSON functions.
    return this.db
      .prepare(
        `SELECT seq,
           '{"action":' || json_quote(action) || ',"actor":' || json_quote(actor) || ',"at":' || json_quote(at) ||
           ',"model":' || json_quote(model) || ',"payload":' || payload || ',"seq":' || seq || ',"subject":' || json_quote(subject) || '}',
           hash
         FROM events ORDER BY seq`,
      )
      .raw(true)
      .iterate() as IterableIterator<[number, string, string]>;
  }

  rawEvent(seq: number): RawEvent | undefined {
    return this.q(
      'SELECT seq, at, actor, action, model, subject, payload, prev_hash, hash FROM events WHERE seq = ?',
    ).get(seq) as RawEvent | undefined;
  }

  children(versionId: number): VersionRecord[] {
    return (
      this.q(`SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE v.parent_id = ? ORDER BY m.name, v.version`).all(
        versionId,
      ) as Row[]
    ).map(toVersion);
  }

  versionsByData(dataHash: string): VersionRecord[] {
    return (
      this.q(`SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE v.data_hash = ? ORDER BY m.name, v.version`).all(
        dataHash,
      ) as Row[]
    ).map(toVersion);
  }

  lastEvent(): { seq: number; hash: string } | undefined {
    return this.q('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1').get() as
      { seq: number; hash: string } | undefined;
  }

  insertEvent(e: EventRecord): void {
    if (!this.inWrite) throw new Error('insertEvent outside write()');
    this.q(
      'INSERT INTO events(seq, at, actor, action, model, subject, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      e.seq,
      e.at,
      e.actor,
      e.action,
      e.model,
      e.subject,
      // Canonical text: verification can hash the stored bytes without re-serializing them.
      canonicalJson(e.payload ?? null),
      e.prevHash,
      e.hash,
    );
  }

  openRollout(model: string): RolloutRecord | undefined {
    const r = this.q("SELECT * FROM rollouts WHERE model = ? AND state IN ('active','paused')").get(model) as
      Row | undefined;
    return r ? toRollout(r) : undefined;
  }

  rollouts(filter: { model?: string; open?: boolean; limit?: number }): RolloutRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.model) {
      where.push('model = ?');
      args.push(filter.model);
    }
    if (filter.open) where.push("state IN ('active','paused')");
    const sql = `SELECT * FROM rollouts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.q(sql).all(...args, filter.limit ?? 1000) as Row[]).map(toRollout);
  }

  getRollout(id: number): RolloutRecord | undefined {
    const r = this.q('SELECT * FROM rollouts WHERE id = ?').get(id) as Row | undefined;
    return r ? toRollout(r) : undefined;
  }

  insertRollout(r: RolloutInput): RolloutRecord {
    if (!this.inWrite) throw new Error('insertRollout outside write()');
    try {
      const res = this.q(
        `INSERT INTO rollouts(model, candidate_id, champion_id, plan_name, plan, step, state, step_started_at, candidate_uri, champion_uri, gate_run_id, adr, last_commit, started_at, started_by, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        r.model,
        r.candidateId,
        r.championId,
        r.planName,
        JSON.stringify(r.plan),
        r.step,
        r.state,
        r.stepStartedAt,
        r.candidateUri,
        r.championUri,
        r.gateRunId,
        r.adr,
        r.lastCommit,
        r.startedAt,
        r.startedBy,
        r.startedAt,
      );
      return this.getRollout(Number(res.lastInsertRowid))!;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new StorageError(`${r.model} already has a rollout in progress; see mlctl rollout status ${r.model}`, {
          cause: err,
        });
      throw err;
    }
  }

  updateRollout(id: number, revision: number, patch: RolloutPatch): boolean {
    if (!this.inWrite) throw new Error('updateRollout outside write()');
    const sets: string[] = ['revision = revision + 1'];
    const args: unknown[] = [];
    for (const [k, col] of Object.entries(ROLLOUT_COLUMNS)) {
      const v = (patch as Record<string, unknown>)[k];
      if (v === undefined) continue;
      sets.push(`${col} = ?`);
      args.push(k === 'lastChecks' ? JSON.stringify(v) : v);
    }
    const r = this.q(`UPDATE rollouts SET ${sets.join(', ')} WHERE id = ? AND revision = ?`).run(...args, id, revision);
    return r.changes === 1;
  }

  setRolloutChecks(id: number, checks: unknown, at: string): void {
    if (!this.inWrite) throw new Error('setRolloutChecks outside write()');
    this.q('UPDATE rollouts SET last_checks = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(checks), at, id);
  }
}

function toGateRun(r: Row): GateRunRecord {
  return {
    id: r.id as number,
    candidateId: r.candidate_id as number,
    baselineId: (r.baseline_id as number | null) ?? null,
    candidateManifest: r.candidate_manifest as string,
    baselineManifest: (r.baseline_manifest as string | null) ?? null,
    policyDigest: r.policy_digest as string,
    datasetDigest: (r.dataset_digest as string | null) ?? null,
    source: r.source as GateRunRecord['source'],
    verdict: r.verdict as GateRunRecord['verdict'],
    report: JSON.parse(r.report as string),
    at: r.at as string,
    actor: r.actor as string,
  };
}
