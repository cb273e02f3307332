import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { isDamage, isSqliteError, localRestoreHint, sqliteFailure, type RestoreHint } from './sqlite-errors.js';
import { describeFsError, fsFailure, fsMeaning, isFsError } from '../../core/util/fs-errors.js';
import { MIGRATIONS } from './migrations.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { AuthError, DamagedError, type MlctlError, StorageError, UsageError } from '../../core/errors.js';
import type { TableRow } from '../registry/table-copy.js';
import {
  COMPARE_LOOK_COLUMNS,
  compareLookOf,
  compareLookQuery,
  compareLookRow,
} from '../registry/compare-look-rows.js';
import type {
  ArtifactEntry,
  EventFilter,
  EventRecord,
  RawEvent,
  RolloutInput,
  RolloutPatch,
  RolloutRecord,
  StepRecord,
  CompareLookInput,
  CompareLookRecord,
  GateRunInput,
  GateRunRecord,
  IntegrityReport,
  MetricEntry,
  ModelSummary,
  NewVersion,
  Registry,
  VersionFilter,
  VersionRecord,
  VersionStatus,
} from '../../ports/registry.js';

type Row = Record<string, unknown>;

const capitalize = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);

/**
 * A registry whose folder (or file) cannot be written: read it from memory. SQLite in WAL mode
 * needs to create its -shm file even to read, so the file is loaded whole and its header marked
 * as rollback-journal (bytes 18–19) — the page contents are untouched. Changes still waiting in a
 * -wal file would be missed that way, so such a registry is refused instead.
 */
function openReadOnlyCopy(file: string, location: string, why: NodeJS.ErrnoException): Database.Database {
  let wal = 0;
  try {
    wal = statSync(`${file}-wal`).size;
  } catch {
    // no WAL file: every change is in the main file
  }
  if (wal > 0)
    throw new StorageError(
      `registry ${location} has changes not yet folded into the main file (${file}-wal), and ${describeFsError(why)}; open it once where it can be written, or copy it with mlctl registry backup`,
    );
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw fsFailure(err);
  }
  if (bytes.length >= 20 && bytes[18] === 2 && bytes[19] === 2) {
    bytes[18] = 1;
    bytes[19] = 1;
  }
  try {
    return new Database(bytes, { readonly: true });
  } catch (err) {
    throw sqliteFailure(err, { location, file, restore: localRestoreHint(file), during: 'open' });
  }
}

/** Rows per batch when streaming the audit chain: one await per batch keeps verification fast. */
const CHAIN_BATCH = 10_000;

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
    key: r.rollout_key as string,
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
    pending: r.pending ? JSON.parse(r.pending as string) : null,
    lastCommit: (r.last_commit as string | null) ?? null,
    outcome: (r.outcome as string | null) ?? null,
    startedAt: r.started_at as string,
    startedBy: r.started_by as string,
    updatedAt: r.updated_at as string,
    endedAt: (r.ended_at as string | null) ?? null,
  };
}

function toStep(r: Row): StepRecord {
  return {
    id: r.id as string,
    model: r.model as string,
    action: r.action as StepRecord['action'],
    rollout: (r.rollout_key as string | null) ?? null,
    stage: r.stage as string,
    commit: (r.commit_sha as string | null) ?? null,
    seq: Number(r.seq),
    at: r.at as string,
    actor: r.actor as string,
    how: r.how as StepRecord['how'],
  };
}

const ROLLOUT_COLUMNS: Record<keyof Omit<RolloutPatch, never>, string> = {
  step: 'step',
  state: 'state',
  stepStartedAt: 'step_started_at',
  lastChecks: 'last_checks',
  pending: 'pending',
  lastCommit: 'last_commit',
  outcome: 'outcome',
  endedAt: 'ended_at',
  adr: 'adr',
  updatedAt: 'updated_at',
};

export interface OpenOptions {
  /** Create the file and apply migrations when missing (write commands); read commands refuse a missing file. */
  create?: boolean;
  busyTimeoutMs?: number;
  /** 'delete' keeps the whole database in the one file after each commit (a copy to upload). */
  journal?: 'wal' | 'delete';
  /** Where the database really lives, for messages (a cached copy of s3://… names the S3 URI). */
  location?: string;
  /** How to get a good copy back when this one is damaged (default: backup or shared copy of a local file). */
  restore?: RestoreHint;
  /**
   * Run SQLite's quick_check before the first write of this connection and refuse to write on a
   * damaged database (default). The shared registry checks its copies itself and turns this off.
   */
  checkBeforeWrite?: boolean;
}

/** Why this registry can only be read: its folder or file is read-only or not ours to write. */
type ReadOnlyReason = NodeJS.ErrnoException;

function notWritable(file: string): ReadOnlyReason | null {
  for (const p of [dirname(file), file]) {
    try {
      accessSync(p, constants.W_OK);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EROFS' || e.code === 'EACCES' || e.code === 'EPERM') return e;
    }
  }
  return null;
}

export class SqliteRegistry implements Registry {
  readonly location: string;
  private readonly db: Database.Database;
  private readonly stmts = new Map<string, Database.Statement>();
  private inWrite = false;
  private checked = false;

  private constructor(
    private readonly file: string,
    db: Database.Database,
    private readonly o: {
      location: string;
      restore: RestoreHint;
      checkBeforeWrite: boolean;
      readOnly: ReadOnlyReason | null;
    },
  ) {
    this.location = o.location;
    this.db = db;
  }

  /** Words for an error from SQLite about this database (damage, full disk, read-only…). */
  private fail(err: unknown, during?: string): MlctlError {
    return sqliteFailure(err, { location: this.location, file: this.file, restore: this.o.restore, during });
  }

  static open(file: string, opts: OpenOptions = {}): SqliteRegistry {
    const location = opts.location ?? file;
    const restore = opts.restore ?? localRestoreHint(file);
    if (opts.create) {
      try {
        mkdirSync(dirname(file), { recursive: true });
      } catch (err) {
        throw fsFailure(err, '(the registry folder)');
      }
    }
    let db: Database.Database | undefined;
    let readOnly: ReadOnlyReason | null = null;
    try {
      db = new Database(file, { fileMustExist: !opts.create, timeout: opts.busyTimeoutMs ?? 30_000 });
      db.pragma(opts.journal === 'delete' ? 'journal_mode = DELETE' : 'journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma(opts.journal === 'delete' ? 'synchronous = FULL' : 'synchronous = NORMAL');
    } catch (err) {
      db?.close();
      if (!existsSync(file))
        throw new UsageError(`registry ${file} does not exist; run 'mlctl init --yes' or register a model first`);
      readOnly = isDamage(err) ? null : notWritable(file);
      if (!readOnly) throw sqliteFailure(err, { location, file, restore, during: 'open' });
      db = openReadOnlyCopy(file, location, readOnly);
    }
    // Cheap checks of each page's cells as SQLite reads them: damage is found where it is touched.
    db.pragma('cell_size_check = ON');
    const reg = new SqliteRegistry(file, db, {
      location,
      restore,
      checkBeforeWrite: opts.checkBeforeWrite ?? true,
      readOnly,
    });
    try {
      reg.migrate();
      return reg;
    } catch (err) {
      db.close();
      throw reg.fail(err, 'open');
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
    if (this.o.readOnly)
      throw new StorageError(
        `registry ${this.location} needs its schema upgraded (version ${current} → ${MIGRATIONS.length}) but ${describeFsError(this.o.readOnly)}`,
      );
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
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
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
    if (this.o.readOnly) {
      const e = this.o.readOnly;
      const msg = `registry ${this.location} cannot be written here: ${fsMeaning(e)} for ${e.path}; read commands work, writes need a writable location`;
      throw e.code === 'EROFS' ? new StorageError(msg) : new AuthError(msg);
    }
    if (this.o.checkBeforeWrite && !this.checked) {
      // Writing on a damaged database can spread the damage (a bad free list hands out pages in use).
      const report = await this.checkIntegrity({ full: false });
      if (!report.ok)
        throw new DamagedError(
          `registry ${this.location} fails SQLite's quick_check (${report.problems[0]}); nothing was written. ${capitalize(this.o.restore)}`,
        );
      this.checked = true;
    }
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      if (isSqliteError(err) && /^SQLITE_(BUSY|LOCKED)/.test(err.code))
        throw new StorageError(`registry ${this.location} is locked by another writer: ${err.message}; retry`, {
          cause: err,
        });
      throw this.fail(err, 'BEGIN');
    }
    this.inWrite = true;
    try {
      const result = await fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw this.fail(err, 'the write');
    } finally {
      this.inWrite = false;
    }
  }

  /** BEGIN IMMEDIATE already makes every write exclusive. */
  async exclusive(_scope: string): Promise<void> {
    if (!this.inWrite) throw new Error('exclusive() outside write()');
  }

  async close(): Promise<void> {
    this.closeSync();
  }

  /** For the adapters that manage copies of the file (shared registry, transfers): no await needed. */
  closeSync(): void {
    if (this.db.open) this.db.close();
  }

  // Whole-registry copies (registry push/pull between backends): see adapters/registry/table-copy.ts.

  async isEmpty(): Promise<boolean> {
    const r = this.db.prepare('SELECT (SELECT count(*) FROM models) + (SELECT count(*) FROM events) AS n').get() as Row;
    return r.n === 0;
  }

  async countRows(table: string): Promise<number> {
    return (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as Row).n as number;
  }

  /** A deferred read transaction: in WAL mode, one snapshot of the file while other processes write. */
  async readConsistent<T>(fn: () => Promise<T>): Promise<T> {
    if (this.db.inTransaction) return fn();
    this.db.exec('BEGIN');
    try {
      return await fn();
    } finally {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    }
  }

  async *exportRows(table: string, columns: readonly string[]): AsyncIterable<TableRow[]> {
    const order = table === 'events' ? 'seq' : columns.includes('id') ? 'id' : `${columns[0]}, ${columns[1]}`;
    const stmt = this.db.prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${order}`).raw(true);
    let batch: TableRow[] = [];
    for (const r of stmt.iterate() as IterableIterator<TableRow>) {
      batch.push(r);
      if (batch.length === CHAIN_BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }

  async importRows(table: string, columns: readonly string[], rows: TableRow[]): Promise<void> {
    if (!this.inWrite) throw new Error('importRows outside write()');
    const ins = this.db.prepare(
      `INSERT INTO ${table}(${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    );
    for (const r of rows) ins.run(...r);
  }

  async finishImport(): Promise<void> {
    // INTEGER PRIMARY KEY ids continue after the largest one: nothing to do.
  }

  /** A consistent single-file copy (no WAL), e.g. to upload as a shared registry. */
  snapshotTo(path: string): void {
    try {
      this.db.prepare('VACUUM INTO ?').run(path);
    } catch (err) {
      throw isFsError(err) ? fsFailure(err, '(a snapshot)') : this.fail(err, 'a snapshot');
    }
  }

  /**
   * SQLite's own checks of the file: quick_check (every page and row, O(N)), or integrity_check
   * with `full` (indexes against their tables too). A file too damaged to check is reported, not thrown.
   */
  async checkIntegrity(opts: { full?: boolean } = {}): Promise<IntegrityReport> {
    const check = opts.full ? 'integrity_check' : 'quick_check';
    let problems: string[];
    try {
      // A row can span lines ("*** in database main ***\nTree 16 page 16: …"); messages are one line.
      problems = (this.db.pragma(`${check}(20)`) as Array<Record<string, string>>).map((r) =>
        Object.values(r)[0]!.replace(/\s*\n\s*/g, ' '),
      );
    } catch (err) {
      if (!isSqliteError(err)) throw err;
      problems = [`${err.message}, ${err.code}`];
    }
    const ok = problems.length === 1 && problems[0] === 'ok';
    return { ok, check, location: this.location, problems: ok ? [] : problems };
  }

  /**
   * SQLite's online backup to `dest` (temp file + rename): pages are copied while other processes
   * keep reading and writing; the copy is checked before it is put in place.
   */
  async backupTo(dest: string): Promise<{ bytes: number }> {
    const tmp = `${dest}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      await this.db.backup(tmp);
      const copy = new Database(tmp, { fileMustExist: true });
      let problems: string[];
      try {
        copy.pragma('journal_mode = DELETE');
        problems = (copy.pragma('quick_check(5)') as Array<Record<string, string>>).map((r) =>
          Object.values(r)[0]!.replace(/\s*\n\s*/g, ' '),
        );
      } finally {
        copy.close();
      }
      if (problems[0] !== 'ok')
        throw new DamagedError(
          `the backup of ${this.location} fails SQLite's quick_check (${problems[0]}): the registry itself is damaged; nothing was written to ${dest}. ${capitalize(this.o.restore)}`,
        );
      renameSync(tmp, dest);
      return { bytes: statSync(dest).size };
    } catch (err) {
      throw isFsError(err) ? fsFailure(err, '(the backup)') : this.fail(err, 'the backup');
    } finally {
      for (const f of [tmp, `${tmp}-journal`]) rmSync(f, { force: true });
    }
  }

  async findModel(name: string): Promise<{ id: number; name: string } | undefined> {
    return this.q('SELECT id, name FROM models WHERE name = ?').get(name) as { id: number; name: string } | undefined;
  }

  async ensureModel(name: string, at: string, by: string): Promise<{ id: number; created: boolean }> {
    const found = await this.findModel(name);
    if (found) return { id: found.id, created: false };
    const r = this.q('INSERT INTO models(name, created_at, created_by) VALUES (?, ?, ?)').run(name, at, by);
    return { id: Number(r.lastInsertRowid), created: true };
  }

  async listModels(): Promise<ModelSummary[]> {
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

  async versionNumbers(model: string): Promise<number[]> {
    return (
      this.q(
        'SELECT v.version FROM versions v JOIN models m ON m.id = v.model_id WHERE m.name = ? ORDER BY v.version',
      ).all(model) as Row[]
    ).map((r) => r.version as number);
  }

  async getVersion(model: string, version: number): Promise<VersionRecord | undefined> {
    const r = this.q(`SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE m.name = ? AND v.version = ?`).get(
      model,
      version,
    ) as Row | undefined;
    return r ? toVersion(r) : undefined;
  }

  async getVersionById(id: number): Promise<VersionRecord | undefined> {
    const r = this.q(`SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE v.id = ?`).get(id) as Row | undefined;
    return r ? toVersion(r) : undefined;
  }

  async latestVersion(model: string, opts: { includeArchived?: boolean } = {}): Promise<VersionRecord | undefined> {
    const sql = `SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE m.name = ? ${opts.includeArchived === false ? "AND v.status <> 'archived'" : ''} ORDER BY v.version DESC LIMIT 1`;
    const r = this.q(sql).get(model) as Row | undefined;
    return r ? toVersion(r) : undefined;
  }

  async listVersions(model: string, filter: VersionFilter): Promise<VersionRecord[]> {
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

  async findDuplicate(
    model: string,
    manifestDigest: string,
    codeCommit: string | null,
  ): Promise<VersionRecord | undefined> {
    const r = this.q(
      `SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE m.name = ? AND v.manifest_digest = ? AND v.code_commit IS ? ORDER BY v.version LIMIT 1`,
    ).get(model, manifestDigest, codeCommit) as Row | undefined;
    return r ? toVersion(r) : undefined;
  }

  async insertVersion(n: NewVersion): Promise<VersionRecord> {
    if (!this.inWrite) throw new Error('insertVersion outside write()');
    const model = await this.ensureModel(n.model, n.createdAt, n.createdBy);
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
    await this.setTags(id, n.tags);
    return (await this.getVersionById(id))!;
  }

  async artifacts(versionId: number): Promise<ArtifactEntry[]> {
    return this.q('SELECT path, size, sha256 FROM artifacts WHERE version_id = ? ORDER BY path').all(
      versionId,
    ) as ArtifactEntry[];
  }

  async metrics(versionId: number): Promise<MetricEntry[]> {
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

  async tags(versionId: number): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const r of this.q('SELECT key, value FROM tags WHERE version_id = ? ORDER BY key').all(versionId) as Row[]) {
      out[r.key as string] = r.value as string;
    }
    return out;
  }

  async setTags(versionId: number, tags: Record<string, string>): Promise<void> {
    const up = this.q(
      'INSERT INTO tags(version_id, key, value) VALUES (?, ?, ?) ON CONFLICT(version_id, key) DO UPDATE SET value = excluded.value',
    );
    for (const [k, v] of Object.entries(tags)) up.run(versionId, k, v);
  }

  async setStatus(versionId: number, status: VersionStatus, at: string): Promise<void> {
    this.q('UPDATE versions SET status = ?, status_changed_at = ? WHERE id = ?').run(status, at, versionId);
  }

  async aliasesOf(versionId: number): Promise<string[]> {
    return (this.q('SELECT alias FROM aliases WHERE version_id = ? ORDER BY alias').all(versionId) as Row[]).map(
      (r) => r.alias as string,
    );
  }

  async aliases(model: string): Promise<Array<{ alias: string; version: number }>> {
    return this.q(
      `SELECT a.alias, v.version FROM aliases a JOIN models m ON m.id = a.model_id JOIN versions v ON v.id = a.version_id
        WHERE m.name = ? ORDER BY a.alias`,
    ).all(model) as Array<{ alias: string; version: number }>;
  }

  async resolveAlias(model: string, alias: string): Promise<number | undefined> {
    const r = this.q(
      `SELECT v.version FROM aliases a JOIN models m ON m.id = a.model_id JOIN versions v ON v.id = a.version_id WHERE m.name = ? AND a.alias = ?`,
    ).get(model, alias) as Row | undefined;
    return r ? (r.version as number) : undefined;
  }

  async setAlias(
    model: string,
    alias: string,
    versionId: number,
    at: string,
    by: string,
  ): Promise<{ previous: number | null }> {
    const m = await this.findModel(model);
    if (!m) throw new Error(`unknown model ${model}`);
    const previous = (await this.resolveAlias(model, alias)) ?? null;
    this.q(
      `INSERT INTO aliases(model_id, alias, version_id, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(model_id, alias) DO UPDATE SET version_id = excluded.version_id, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ).run(m.id, alias, versionId, at, by);
    return { previous };
  }

  async removeAlias(model: string, alias: string): Promise<{ previous: number | null }> {
    const previous = (await this.resolveAlias(model, alias)) ?? null;
    this.q('DELETE FROM aliases WHERE model_id = (SELECT id FROM models WHERE name = ?) AND alias = ?').run(
      model,
      alias,
    );
    return { previous };
  }

  async referencedDigests(): Promise<Set<string>> {
    const out = new Set<string>();
    for (const r of this.q('SELECT DISTINCT sha256 FROM artifacts').iterate() as Iterable<Row>)
      out.add(r.sha256 as string);
    return out;
  }

  async insertGateRun(g: GateRunInput): Promise<number> {
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

  async gateRuns(candidateId: number): Promise<GateRunRecord[]> {
    const rows = this.q('SELECT * FROM gate_runs WHERE candidate_id = ? ORDER BY id DESC').all(candidateId) as Row[];
    return rows.map(toGateRun);
  }

  async getGateRun(id: number): Promise<GateRunRecord | undefined> {
    const r = this.q('SELECT * FROM gate_runs WHERE id = ?').get(id) as Row | undefined;
    return r ? toGateRun(r) : undefined;
  }

  async events(f: EventFilter): Promise<EventRecord[]> {
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

  async *rawEvents(): AsyncIterable<RawEvent> {
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

  async *chainRows(): AsyncIterable<Array<[number, string, string]>> {
    // Same text as envelopeText() in core/audit/chain.ts, assembled by SQLite's JSON functions.
    const rows = this.db
      .prepare(
        `SELECT seq,
           '{"action":' || json_quote(action) || ',"actor":' || json_quote(actor) || ',"at":' || json_quote(at) ||
           ',"model":' || json_quote(model) || ',"payload":' || payload || ',"seq":' || seq || ',"subject":' || json_quote(subject) || '}',
           hash
         FROM events ORDER BY seq`,
      )
      .raw(true)
      .iterate() as IterableIterator<[number, string, string]>;
    let batch: Array<[number, string, string]> = [];
    for (const r of rows) {
      batch.push(r);
      if (batch.length === CHAIN_BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }

  async rawEvent(seq: number): Promise<RawEvent | undefined> {
    return this.q(
      'SELECT seq, at, actor, action, model, subject, payload, prev_hash, hash FROM events WHERE seq = ?',
    ).get(seq) as RawEvent | undefined;
  }

  async children(versionId: number): Promise<VersionRecord[]> {
    return (
      this.q(`SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE v.parent_id = ? ORDER BY m.name, v.version`).all(
        versionId,
      ) as Row[]
    ).map(toVersion);
  }

  async versionsByData(dataHash: string): Promise<VersionRecord[]> {
    return (
      this.q(`SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE v.data_hash = ? ORDER BY m.name, v.version`).all(
        dataHash,
      ) as Row[]
    ).map(toVersion);
  }

  async lastEvent(): Promise<{ seq: number; hash: string; at: string } | undefined> {
    return this.q('SELECT seq, hash, at FROM events ORDER BY seq DESC LIMIT 1').get() as
      { seq: number; hash: string; at: string } | undefined;
  }

  async insertEvent(e: EventRecord): Promise<void> {
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

  async openRollout(model: string): Promise<RolloutRecord | undefined> {
    const r = this.q("SELECT * FROM rollouts WHERE model = ? AND state IN ('active','paused')").get(model) as
      Row | undefined;
    return r ? toRollout(r) : undefined;
  }

  async rollouts(filter: { model?: string; open?: boolean; limit?: number }): Promise<RolloutRecord[]> {
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

  async getRollout(id: number): Promise<RolloutRecord | undefined> {
    const r = this.q('SELECT * FROM rollouts WHERE id = ?').get(id) as Row | undefined;
    return r ? toRollout(r) : undefined;
  }

  async insertRollout(r: RolloutInput): Promise<RolloutRecord> {
    if (!this.inWrite) throw new Error('insertRollout outside write()');
    try {
      const res = this.q(
        `INSERT INTO rollouts(rollout_key, model, candidate_id, champion_id, plan_name, plan, step, state, step_started_at, candidate_uri, champion_uri, gate_run_id, adr, last_commit, started_at, started_by, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        r.key,
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
      return (await this.getRollout(Number(res.lastInsertRowid)))!;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new StorageError(`${r.model} already has a rollout in progress; see mlctl rollout status ${r.model}`, {
          cause: err,
        });
      throw err;
    }
  }

  async updateRollout(id: number, revision: number, patch: RolloutPatch): Promise<boolean> {
    if (!this.inWrite) throw new Error('updateRollout outside write()');
    const sets: string[] = ['revision = revision + 1'];
    const args: unknown[] = [];
    for (const [k, col] of Object.entries(ROLLOUT_COLUMNS)) {
      const v = (patch as Record<string, unknown>)[k];
      if (v === undefined) continue;
      sets.push(`${col} = ?`);
      args.push((k === 'lastChecks' || k === 'pending') && v !== null ? JSON.stringify(v) : v);
    }
    const r = this.q(`UPDATE rollouts SET ${sets.join(', ')} WHERE id = ? AND revision = ?`).run(...args, id, revision);
    return r.changes === 1;
  }

  async setRolloutChecks(id: number, checks: unknown, at: string): Promise<void> {
    if (!this.inWrite) throw new Error('setRolloutChecks outside write()');
    this.q('UPDATE rollouts SET last_checks = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(checks), at, id);
  }

  async recordStep(st: StepRecord): Promise<void> {
    if (!this.inWrite) throw new Error('recordStep outside write()');
    this.q(
      'INSERT INTO steps(id, model, action, rollout_key, stage, commit_sha, seq, at, actor, how) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(st.id, st.model, st.action, st.rollout, st.stage, st.commit, st.seq, st.at, st.actor, st.how);
  }

  async getStep(id: string): Promise<StepRecord | undefined> {
    const r = this.q('SELECT * FROM steps WHERE id = ?').get(id) as Row | undefined;
    return r ? toStep(r) : undefined;
  }

  async lastStep(q: { model?: string; rollout?: string; committed?: boolean }): Promise<StepRecord | undefined> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.model !== undefined) {
      where.push('model = ?');
      args.push(q.model);
    }
    if (q.rollout !== undefined) {
      where.push('rollout_key = ?');
      args.push(q.rollout);
    }
    if (q.committed) where.push('commit_sha IS NOT NULL');
    const sql = `SELECT * FROM steps ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT 1`;
    const r = this.q(sql).get(...args) as Row | undefined;
    return r ? toStep(r) : undefined;
  }

  async insertCompareLook(l: CompareLookInput): Promise<number> {
    if (!this.inWrite) throw new Error('insertCompareLook outside write()');
    const r = this.q(
      `INSERT INTO compare_looks(${COMPARE_LOOK_COLUMNS.join(', ')}) VALUES (${COMPARE_LOOK_COLUMNS.map(() => '?').join(', ')})`,
    ).run(...compareLookRow(l));
    return Number(r.lastInsertRowid);
  }

  async compareLooks(q: { rolloutId: number; step?: number; check?: string }): Promise<CompareLookRecord[]> {
    const { sql, args } = compareLookQuery(q, () => '?');
    return (this.q(sql).all(...args) as Row[]).map(compareLookOf);
  }
}

/**
 * Every query method says what an SQLite failure means for this registry (damage, full disk,
 * read-only) instead of passing SQLite's bare error up as "unexpected". Done once here for all of
 * them, so that a method added later cannot forget it.
 */
{
  const proto = SqliteRegistry.prototype as unknown as Record<string, unknown>;
  type Self = { fail(err: unknown): Error };
  for (const name of Object.getOwnPropertyNames(proto)) {
    const f = proto[name];
    if (name === 'constructor' || typeof f !== 'function') continue;
    const kind = f.constructor.name;
    if (kind === 'AsyncFunction')
      proto[name] = async function (this: Self, ...args: unknown[]) {
        try {
          return await (f as (...a: unknown[]) => Promise<unknown>).apply(this, args);
        } catch (err) {
          throw this.fail(err);
        }
      };
    else if (kind === 'AsyncGeneratorFunction')
      proto[name] = async function* (this: Self, ...args: unknown[]) {
        try {
          yield* (f as (...a: unknown[]) => AsyncIterable<unknown>).apply(this, args);
        } catch (err) {
          throw this.fail(err);
        }
      };
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
