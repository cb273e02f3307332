import type { Client, QueryConfig, QueryResultRow } from 'pg';
import { canonicalJson } from '../../core/canonical-json.js';
import { StorageError } from '../../core/errors.js';
import { PG_MIGRATIONS } from './migrations.js';
import { clientConfig, connectionError, type Env, type PgTarget } from './connection.js';
import type { TableRow } from '../registry/table-copy.js';
import {
  COMPARE_LOOK_COLUMNS,
  compareLookOf,
  compareLookQuery,
  compareLookRow,
} from '../registry/compare-look-rows.js';
import type {
  ArtifactEntry,
  CompareLookInput,
  CompareLookRecord,
  EventFilter,
  EventRecord,
  GateRunInput,
  GateRunRecord,
  MetricEntry,
  ModelSummary,
  NewVersion,
  RawEvent,
  Registry,
  RolloutInput,
  RolloutPatch,
  RolloutRecord,
  StepRecord,
  VersionFilter,
  VersionRecord,
  VersionStatus,
} from '../../ports/registry.js';

type Row = QueryResultRow;

/**
 * int8 values (ids, sizes, seq) arrive as strings from pg; a copy moves plain numbers. Decided by
 * the column's type in the result, not its name: `steps.id` is text.
 */
const INT8_OID = 20;
const fromPg = (fields: ReadonlyArray<{ dataTypeID: number }>) => {
  const int8 = fields.map((f) => f.dataTypeID === INT8_OID);
  return (r: unknown[]): TableRow =>
    r.map((v, i) => (int8[i] && typeof v === 'string' ? Number(v) : (v as string | number | null)));
};

/** Any number from our own advisory-lock namespace: one migrator at a time per database. */
const MIGRATION_LOCK = 0x6d6c6374; // "mlct"
const CHAIN_BATCH = 10_000;

const VERSION_COLUMNS = `v.id, m.name AS model, v.version, v.status, v.manifest_digest, v.file_count, v.total_size,
  v.data_hash, v.code_commit, v.code_branch, v.code_dirty, v.code_remote, v.config, v.feature_schema,
  v.requirements, pm.name AS parent_model, p.version AS parent_version, v.description, v.created_at, v.created_by, v.status_changed_at`;
const VERSION_FROM = `versions v JOIN models m ON m.id = v.model_id
  LEFT JOIN versions p ON p.id = v.parent_id LEFT JOIN models pm ON pm.id = p.model_id`;

const num = (v: unknown): number => (typeof v === 'string' ? Number(v) : (v as number));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));

function toVersion(r: Row): VersionRecord {
  const json = (s: unknown) => (typeof s === 'string' ? JSON.parse(s) : null);
  return {
    id: num(r.id),
    model: r.model as string,
    version: r.version as number,
    status: r.status as VersionStatus,
    manifestDigest: r.manifest_digest as string,
    fileCount: r.file_count as number,
    totalSize: num(r.total_size),
    dataHash: (r.data_hash as string | null) ?? null,
    code: {
      commit: (r.code_commit as string | null) ?? null,
      branch: (r.code_branch as string | null) ?? null,
      dirty: (r.code_dirty as boolean | null) ?? null,
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
    id: num(r.id),
    key: r.rollout_key as string,
    model: r.model as string,
    candidateId: num(r.candidate_id),
    championId: numOrNull(r.champion_id),
    planName: r.plan_name as string,
    plan: JSON.parse(r.plan as string),
    step: r.step as number,
    state: r.state as RolloutRecord['state'],
    stepStartedAt: r.step_started_at as string,
    candidateUri: r.candidate_uri as string,
    championUri: (r.champion_uri as string | null) ?? null,
    gateRunId: numOrNull(r.gate_run_id),
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

function toGateRun(r: Row): GateRunRecord {
  return {
    id: num(r.id),
    candidateId: num(r.candidate_id),
    baselineId: numOrNull(r.baseline_id),
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

function toRawEvent(r: Row): RawEvent {
  return {
    seq: num(r.seq),
    at: r.at as string,
    actor: r.actor as string,
    action: r.action as string,
    model: (r.model as string | null) ?? null,
    subject: (r.subject as string | null) ?? null,
    payload: r.payload as string,
    prev_hash: r.prev_hash as string,
    hash: r.hash as string,
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
    seq: num(r.seq),
    at: r.at as string,
    actor: r.actor as string,
    how: r.how as StepRecord['how'],
  };
}

const ROLLOUT_COLUMNS: Record<keyof RolloutPatch, string> = {
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

interface TxState {
  /** The chain head is locked: every change of this transaction comes after it (one lock order). */
  locked: boolean;
  /** Aliases as this transaction saw them; a move is a compare-and-swap against what was seen. */
  seenAliases: Map<string, number | null>;
}

/**
 * The registry on PostgreSQL: one connection per process, short transactions, and the atomic parts
 * (version numbers, alias moves, the audit chain head, rollout revisions) done by the database.
 *
 * Concurrency without a global lock for readers: reads never block. A write transaction locks the
 * one `chain_head` row before its first change (every write appends to the audit chain, so appends
 * are serialized anyway) and every other row lock after it, so lock order is the same everywhere and
 * deadlocks cannot happen. The checks a command makes before changing anything are re-validated
 * where the change happens: a version number comes from the model row's counter, an alias moves only
 * if it still points where this transaction saw it, a rollout only at the revision it read, and a
 * second open rollout of a model is refused by a unique index. The lock is held from the first change
 * to COMMIT: milliseconds, because a rollout step records its rows after its git commit and push.
 */
export class PgRegistry implements Registry {
  readonly location: string;
  private tx: TxState | null = null;

  private constructor(
    private readonly client: Client,
    target: PgTarget,
  ) {
    this.location = target.display;
  }

  static async open(target: PgTarget, env: Env, opts: { create?: boolean } = {}): Promise<PgRegistry> {
    const pg = await import('pg');
    const ClientClass = (pg.default?.Client ?? pg.Client) as typeof Client;
    const client = new ClientClass(clientConfig(target, env));
    // An idle connection that dies (server restart, network) must not crash the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw connectionError(target, err);
    }
    const reg = new PgRegistry(client, target);
    try {
      await reg.migrate(!!opts.create);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    return reg;
  }

  /** One query at a time on the one connection (core may read with Promise.all): a simple queue. */
  private queue: Promise<unknown> = Promise.resolve();

  private async q(sql: string, args: unknown[] = []): Promise<Row[]> {
    return (await this.raw({ text: sql, values: args })).rows;
  }

  private raw<R = Row>(query: {
    text: string;
    values?: unknown[];
    rowMode?: 'array';
  }): Promise<{ rows: R[]; fields: Array<{ dataTypeID: number }> }> {
    const run = this.queue.then(
      () =>
        this.client.query(query as QueryConfig) as unknown as Promise<{
          rows: R[];
          fields: Array<{ dataTypeID: number }>;
        }>,
    );
    this.queue = run.catch(() => undefined);
    return run.catch((err) => {
      throw this.mapError(err);
    });
  }

  private async one(sql: string, args: unknown[] = []): Promise<Row | undefined> {
    return (await this.q(sql, args))[0];
  }

  private mapError(err: unknown): Error {
    const code = (err as { code?: string }).code;
    if (!code || /^[0-9A-Z]{5}$/.test(code) === false) {
      // Network-level failure mid-session.
      if (code && /^E[A-Z]+$/.test(code))
        return new StorageError(`${this.location}: connection lost (${code}); retry`, { cause: err });
      return err as Error;
    }
    if (code === '40P01' || code === '40001')
      return new StorageError(
        `${this.location}: a concurrent command changed the same rows (${code === '40P01' ? 'deadlock' : 'serialization failure'}); nothing was written — run the command again`,
        { cause: err },
      );
    if (code === '57014')
      return new StorageError(`${this.location}: the query was cancelled (statement timeout)`, { cause: err });
    if (code.startsWith('08'))
      return new StorageError(`${this.location}: connection lost (${code}); retry`, { cause: err });
    if (code === '42501')
      return new StorageError(`${this.location}: permission denied: ${(err as Error).message}`, { cause: err });
    return err as Error;
  }

  /**
   * Numbered migrations, each in a transaction, one migrator at a time (advisory lock). A database
   * with a newer schema than this mlctl knows is refused; a database without mlctl's tables is
   * created only by commands that may create the registry.
   */
  private async migrate(create: boolean): Promise<void> {
    const current = await this.schemaVersion();
    if (current > PG_MIGRATIONS.length)
      throw new StorageError(
        `registry ${this.location} has schema version ${current}, newer than this mlctl understands (${PG_MIGRATIONS.length}); upgrade mlctl`,
      );
    if (current === PG_MIGRATIONS.length) return;
    if (current === 0 && !create && !(await this.isEmptyDatabase()))
      throw new StorageError(
        `registry ${this.location}: the database holds tables that are not an mlctl registry; use an empty database`,
      );
    await this.q('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      for (let v = await this.schemaVersion(); v < PG_MIGRATIONS.length; v++) {
        await this.q('BEGIN');
        try {
          await this.q(PG_MIGRATIONS[v]!);
          await this.q(
            'INSERT INTO mlctl_schema(version, applied_at) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING',
            [v + 1, new Date().toISOString()],
          );
          await this.q('COMMIT');
        } catch (err) {
          await this.q('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }
    } finally {
      await this.q('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    }
  }

  private async schemaVersion(): Promise<number> {
    await this.q(
      'CREATE TABLE IF NOT EXISTS mlctl_schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    ).catch(async (err) => {
      // Two processes creating it at once: one wins, the other sees the table (42P07), its row type
      // (42710) or the catalog's unique index (23505) already there.
      const code = (err as { code?: string }).code;
      if (code !== '23505' && code !== '42P07' && code !== '42710') throw err;
    });
    const r = await this.one('SELECT coalesce(max(version), 0) AS v FROM mlctl_schema');
    return num(r?.v ?? 0);
  }

  private async isEmptyDatabase(): Promise<boolean> {
    const r = await this.one(
      `SELECT count(*) AS n FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_name <> 'mlctl_schema'`,
    );
    return num(r?.n ?? 0) === 0;
  }

  async write<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.tx) return fn();
    await this.q('BEGIN');
    this.tx = { locked: false, seenAliases: new Map() };
    try {
      const result = await fn();
      await this.q('COMMIT');
      return result;
    } catch (err) {
      await this.raw({ text: 'ROLLBACK' }).catch(() => undefined);
      throw err;
    } finally {
      this.tx = null;
    }
  }

  /**
   * A transaction-scoped advisory lock on the scope's name: a rollout step of a model waits for
   * another step of the same model (its git side effects happen one at a time), while other models
   * and readers go on. Always taken before the chain head (see change()).
   */
  async exclusive(scope: string): Promise<void> {
    if (!this.tx) throw new Error('exclusive() outside write()');
    if (this.tx.locked) throw new Error('exclusive() after the first change of a write (lock order)');
    await this.q('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`mlctl:${scope}`]);
  }

  /** Before the first change of a write: the chain head, so that all row locks follow one order. */
  private async change(what: string): Promise<void> {
    if (!this.tx) throw new Error(`${what} outside write()`);
    if (this.tx.locked) return;
    await this.q('SELECT id FROM chain_head WHERE id = 1 FOR UPDATE');
    this.tx.locked = true;
  }

  // Whole-registry copies (registry push/pull between backends): see adapters/registry/table-copy.ts.

  async isEmpty(): Promise<boolean> {
    const r = await this.one('SELECT (SELECT count(*) FROM models) + (SELECT count(*) FROM events) AS n');
    return num(r!.n) === 0;
  }

  async countRows(table: string): Promise<number> {
    return num((await this.one(`SELECT count(*) AS n FROM ${table}`))!.n);
  }

  async readConsistent<T>(fn: () => Promise<T>): Promise<T> {
    if (this.tx) throw new Error('readConsistent() inside write()');
    await this.q('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const result = await fn();
      await this.q('COMMIT');
      return result;
    } catch (err) {
      await this.raw({ text: 'ROLLBACK' }).catch(() => undefined);
      throw err;
    }
  }

  async *exportRows(table: string, columns: readonly string[]): AsyncIterable<TableRow[]> {
    // Pages by a numeric key; tables without one (children, and steps keyed by text) in one query.
    const key = table === 'events' ? 'seq' : table !== 'steps' && columns.includes('id') ? 'id' : null;
    const cols = columns.map((c) => (c === 'code_dirty' ? 'code_dirty::int AS code_dirty' : c)).join(', ');
    if (!key) {
      // Child tables without an id: small per version; one query, ordered by their primary key.
      const rows = await this.raw<unknown[]>({ text: `SELECT ${cols} FROM ${table}`, rowMode: 'array' });
      for (let i = 0; i < rows.rows.length; i += CHAIN_BATCH)
        yield rows.rows.slice(i, i + CHAIN_BATCH).map(fromPg(rows.fields));
      return;
    }
    let after = -1;
    for (;;) {
      const page = await this.raw<unknown[]>({
        text: `SELECT ${cols} FROM ${table} WHERE ${key} > $1 ORDER BY ${key} LIMIT ${CHAIN_BATCH}`,
        values: [after],
        rowMode: 'array',
      });
      if (!page.rows.length) return;
      yield page.rows.map(fromPg(page.fields));
      after = num(page.rows[page.rows.length - 1]![columns.indexOf(key)]);
      if (page.rows.length < CHAIN_BATCH) return;
    }
  }

  async importRows(table: string, columns: readonly string[], rows: TableRow[]): Promise<void> {
    await this.change('importRows');
    const dirty = columns.indexOf('code_dirty');
    const values = dirty < 0 ? rows : rows.map((r) => r.map((v, i) => (i === dirty && v !== null ? v === 1 : v)));
    const identity = columns.includes('id') ? ' OVERRIDING SYSTEM VALUE' : '';
    await this.bulkInsert(`${table}(${columns.join(', ')})${identity}`, values as unknown[][]);
  }

  async finishImport(): Promise<void> {
    for (const t of ['models', 'versions', 'gate_runs', 'rollouts', 'compare_looks'])
      await this.q(
        `SELECT setval(pg_get_serial_sequence('${t}', 'id'), coalesce((SELECT max(id) FROM ${t}), 0) + 1, false)`,
      );
    await this.q(
      'UPDATE models m SET next_version = coalesce((SELECT max(version) FROM versions v WHERE v.model_id = m.id), 0) + 1',
    );
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  async findModel(name: string): Promise<{ id: number; name: string } | undefined> {
    const r = await this.one('SELECT id, name FROM models WHERE name = $1', [name]);
    return r ? { id: num(r.id), name: r.name as string } : undefined;
  }

  async ensureModel(name: string, at: string, by: string): Promise<{ id: number; created: boolean }> {
    await this.change('ensureModel');
    const ins = await this.one(
      'INSERT INTO models(name, created_at, created_by) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING id',
      [name, at, by],
    );
    if (ins) return { id: num(ins.id), created: true };
    return { id: (await this.findModel(name))!.id, created: false };
  }

  async listModels(): Promise<ModelSummary[]> {
    const rows = await this.q(
      `SELECT m.id, m.name, m.description, m.created_at,
              (SELECT max(version) FROM versions WHERE model_id = m.id) AS latest,
              (SELECT v.version FROM aliases a JOIN versions v ON v.id = a.version_id WHERE a.model_id = m.id AND a.alias = 'champion') AS champion
         FROM models m ORDER BY m.name COLLATE "C"`,
    );
    const counts = await this.q('SELECT model_id, status, count(*) AS n FROM versions GROUP BY model_id, status');
    return rows.map((r) => {
      const byStatus: ModelSummary['byStatus'] = {};
      let total = 0;
      for (const c of counts) {
        if (num(c.model_id) === num(r.id)) {
          byStatus[c.status as VersionStatus] = num(c.n);
          total += num(c.n);
        }
      }
      return {
        name: r.name as string,
        description: (r.description as string | null) ?? null,
        createdAt: r.created_at as string,
        versions: total,
        latest: numOrNull(r.latest),
        champion: numOrNull(r.champion),
        byStatus,
      };
    });
  }

  async versionNumbers(model: string): Promise<number[]> {
    const rows = await this.q(
      'SELECT v.version FROM versions v JOIN models m ON m.id = v.model_id WHERE m.name = $1 ORDER BY v.version',
      [model],
    );
    return rows.map((r) => r.version as number);
  }

  async getVersion(model: string, version: number): Promise<VersionRecord | undefined> {
    const r = await this.one(`SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE m.name = $1 AND v.version = $2`, [
      model,
      version,
    ]);
    return r ? toVersion(r) : undefined;
  }

  async getVersionById(id: number): Promise<VersionRecord | undefined> {
    const r = await this.one(`SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE v.id = $1`, [id]);
    return r ? toVersion(r) : undefined;
  }

  async latestVersion(model: string, opts: { includeArchived?: boolean } = {}): Promise<VersionRecord | undefined> {
    const r = await this.one(
      `SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE m.name = $1 ${opts.includeArchived === false ? "AND v.status <> 'archived'" : ''} ORDER BY v.version DESC LIMIT 1`,
      [model],
    );
    return r ? toVersion(r) : undefined;
  }

  async listVersions(model: string, filter: VersionFilter): Promise<VersionRecord[]> {
    const where = ['m.name = $1'];
    const args: unknown[] = [model];
    if (filter.status) {
      args.push(filter.status);
      where.push(`v.status = $${args.length}`);
    }
    if (filter.tag) {
      args.push(filter.tag.key, filter.tag.value);
      where.push(
        `EXISTS (SELECT 1 FROM tags t WHERE t.version_id = v.id AND t.key = $${args.length - 1} AND t.value = $${args.length})`,
      );
    }
    const limit = filter.limit ? `LIMIT ${Math.floor(filter.limit)}` : '';
    const rows = await this.q(
      `SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE ${where.join(' AND ')} ORDER BY v.version DESC ${limit}`,
      args,
    );
    return rows.map(toVersion);
  }

  async findDuplicate(
    model: string,
    manifestDigest: string,
    codeCommit: string | null,
  ): Promise<VersionRecord | undefined> {
    // Inside a write this is the idempotency check of register: serialize it with the insert that
    // may follow, so two identical CI retries cannot both create a version.
    if (this.tx) await this.change('findDuplicate');
    const r = await this.one(
      `SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE m.name = $1 AND v.manifest_digest = $2 AND v.code_commit IS NOT DISTINCT FROM $3 ORDER BY v.version LIMIT 1`,
      [model, manifestDigest, codeCommit],
    );
    return r ? toVersion(r) : undefined;
  }

  async insertVersion(n: NewVersion): Promise<VersionRecord> {
    await this.change('insertVersion');
    const model = await this.ensureModel(n.model, n.createdAt, n.createdBy);
    // The model row's counter, under its row lock: version numbers never collide or get reused.
    const alloc = await this.one(
      'UPDATE models SET next_version = next_version + 1 WHERE id = $1 RETURNING next_version - 1 AS v',
      [model.id],
    );
    const version = num(alloc!.v);
    const totalSize = n.artifacts.reduce((s, a) => s + a.size, 0);
    const r = await this.one(
      `INSERT INTO versions(model_id, version, status, manifest_digest, file_count, total_size, data_hash, code_commit, code_branch,
         code_dirty, code_remote, config, feature_schema, requirements, parent_id, description, created_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
      [
        model.id,
        version,
        n.status,
        n.manifestDigest,
        n.artifacts.length,
        totalSize,
        n.dataHash,
        n.code?.commit ?? null,
        n.code?.branch ?? null,
        n.code?.dirty ?? null,
        n.code?.remote ?? null,
        n.config == null ? null : JSON.stringify(n.config),
        n.featureSchema == null ? null : JSON.stringify(n.featureSchema),
        n.requirements,
        n.parentId,
        n.description,
        n.createdAt,
        n.createdBy,
      ],
    );
    const id = num(r!.id);
    await this.bulkInsert(
      'artifacts(version_id, path, size, sha256)',
      n.artifacts.map((a) => [id, a.path, a.size, a.sha256]),
    );
    await this.bulkInsert(
      'metrics(version_id, slice, name, value, dataset_digest, dataset_name)',
      n.metrics.map((m) => [id, m.slice ?? '', m.name, m.value, n.dataset.digest, n.dataset.name]),
    );
    await this.setTags(id, n.tags);
    return (await this.getVersionById(id))!;
  }

  /** Many rows in few statements (a version of 20,000 files is 20 statements, not 20,000). */
  private async bulkInsert(target: string, rows: unknown[][], conflict = ''): Promise<void> {
    if (!rows.length) return;
    const width = rows[0]!.length;
    const perStatement = Math.max(1, Math.floor(30_000 / width));
    for (let i = 0; i < rows.length; i += perStatement) {
      const chunk = rows.slice(i, i + perStatement);
      const values = chunk
        .map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`)
        .join(', ');
      await this.q(`INSERT INTO ${target} VALUES ${values} ${conflict}`, chunk.flat());
    }
  }

  async artifacts(versionId: number): Promise<ArtifactEntry[]> {
    const rows = await this.q(
      'SELECT path, size, sha256 FROM artifacts WHERE version_id = $1 ORDER BY path COLLATE "C"',
      [versionId],
    );
    return rows.map((r) => ({ path: r.path as string, size: num(r.size), sha256: r.sha256 as string }));
  }

  async metrics(versionId: number): Promise<MetricEntry[]> {
    const rows = await this.q(
      'SELECT name, value, slice, dataset_digest, dataset_name FROM metrics WHERE version_id = $1 ORDER BY slice COLLATE "C", name COLLATE "C"',
      [versionId],
    );
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
    for (const r of await this.q('SELECT key, value FROM tags WHERE version_id = $1 ORDER BY key COLLATE "C"', [
      versionId,
    ]))
      out[r.key as string] = r.value as string;
    return out;
  }

  async setTags(versionId: number, tags: Record<string, string>): Promise<void> {
    await this.change('setTags');
    await this.bulkInsert(
      'tags(version_id, key, value)',
      Object.entries(tags).map(([k, v]) => [versionId, k, v]),
      'ON CONFLICT (version_id, key) DO UPDATE SET value = excluded.value',
    );
  }

  async setStatus(versionId: number, status: VersionStatus, at: string): Promise<void> {
    await this.change('setStatus');
    await this.q('UPDATE versions SET status = $1, status_changed_at = $2 WHERE id = $3', [status, at, versionId]);
  }

  async aliasesOf(versionId: number): Promise<string[]> {
    return (
      await this.q('SELECT alias FROM aliases WHERE version_id = $1 ORDER BY alias COLLATE "C"', [versionId])
    ).map((r) => r.alias as string);
  }

  async aliases(model: string): Promise<Array<{ alias: string; version: number }>> {
    const rows = await this.q(
      `SELECT a.alias, v.version FROM aliases a JOIN models m ON m.id = a.model_id JOIN versions v ON v.id = a.version_id
        WHERE m.name = $1 ORDER BY a.alias COLLATE "C"`,
      [model],
    );
    return rows.map((r) => ({ alias: r.alias as string, version: r.version as number }));
  }

  async resolveAlias(model: string, alias: string): Promise<number | undefined> {
    const r = await this.one(
      `SELECT v.version FROM aliases a JOIN models m ON m.id = a.model_id JOIN versions v ON v.id = a.version_id WHERE m.name = $1 AND a.alias = $2`,
      [model, alias],
    );
    const version = r ? (r.version as number) : undefined;
    // Inside a write, remember what this decision was based on (see setAlias).
    const key = `${model}\u0000${alias}`;
    if (this.tx && !this.tx.seenAliases.has(key)) this.tx.seenAliases.set(key, version ?? null);
    return version;
  }

  /**
   * Move an alias as a compare-and-swap: when this transaction looked at the alias before (e.g. the
   * champion it is replacing), the move happens only if the alias still points there; otherwise a
   * concurrent promotion or rollback won and this one stops (exit 3) with nothing written.
   */
  async setAlias(
    model: string,
    alias: string,
    versionId: number,
    at: string,
    by: string,
  ): Promise<{ previous: number | null }> {
    await this.change('setAlias');
    const m = await this.findModel(model);
    if (!m) throw new Error(`unknown model ${model}`);
    const key = `${model}\u0000${alias}`;
    const current = await this.one(
      'SELECT v.version FROM aliases a JOIN versions v ON v.id = a.version_id WHERE a.model_id = $1 AND a.alias = $2 FOR UPDATE OF a',
      [m.id, alias],
    );
    const previous = current ? (current.version as number) : null;
    const seen = this.tx!.seenAliases;
    if (seen.has(key) && seen.get(key) !== previous)
      throw new StorageError(
        `${model}@${alias} moved while this command ran (it was ${seen.get(key) ?? 'unset'}, now ${previous ?? 'unset'}); nothing was written — check mlctl show ${model}@${alias} and run the command again`,
      );
    await this.q(
      `INSERT INTO aliases(model_id, alias, version_id, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (model_id, alias) DO UPDATE SET version_id = excluded.version_id, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [m.id, alias, versionId, at, by],
    );
    const now = await this.one('SELECT version FROM versions WHERE id = $1', [versionId]);
    seen.set(key, now ? (now.version as number) : null);
    return { previous };
  }

  async removeAlias(model: string, alias: string): Promise<{ previous: number | null }> {
    await this.change('removeAlias');
    const r = await this.one(
      `DELETE FROM aliases a USING models m, versions v
        WHERE a.model_id = m.id AND v.id = a.version_id AND m.name = $1 AND a.alias = $2 RETURNING v.version`,
      [model, alias],
    );
    const previous = r ? (r.version as number) : null;
    const key = `${model}\u0000${alias}`;
    const seen = this.tx!.seenAliases;
    if (seen.has(key) && seen.get(key) !== previous)
      throw new StorageError(
        `${model}@${alias} moved while this command ran; nothing was written — run the command again`,
      );
    seen.set(key, null);
    return { previous };
  }

  async referencedDigests(): Promise<Set<string>> {
    const out = new Set<string>();
    for (const r of await this.q('SELECT DISTINCT sha256 FROM artifacts')) out.add(r.sha256 as string);
    return out;
  }

  async insertGateRun(g: GateRunInput): Promise<number> {
    await this.change('insertGateRun');
    const r = await this.one(
      `INSERT INTO gate_runs(candidate_id, baseline_id, candidate_manifest, baseline_manifest, policy_digest, dataset_digest, source, verdict, report, at, actor)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [
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
      ],
    );
    return num(r!.id);
  }

  async gateRuns(candidateId: number): Promise<GateRunRecord[]> {
    const rows = await this.q('SELECT * FROM gate_runs WHERE candidate_id = $1 ORDER BY id DESC', [candidateId]);
    return rows.map(toGateRun);
  }

  async getGateRun(id: number): Promise<GateRunRecord | undefined> {
    const r = await this.one('SELECT * FROM gate_runs WHERE id = $1', [id]);
    return r ? toGateRun(r) : undefined;
  }

  async events(f: EventFilter): Promise<EventRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (cond: (p: string) => string, v: string | undefined) => {
      if (v === undefined) return;
      args.push(v);
      where.push(cond(`$${args.length}`));
    };
    add((p) => `model = ${p}`, f.model);
    add((p) => `subject = ${p}`, f.subject);
    add((p) => `action = ${p}`, f.action);
    add((p) => `actor = ${p}`, f.actor);
    add((p) => `at >= ${p}`, f.since);
    add((p) => `at < ${p}`, f.until);
    const rows = await this.q(
      `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC ${f.limit ? `LIMIT ${Math.floor(f.limit)}` : ''}`,
      args,
    );
    return rows.map((r) => {
      const e = toRawEvent(r);
      return {
        seq: e.seq,
        at: e.at,
        actor: e.actor,
        action: e.action,
        model: e.model,
        subject: e.subject,
        payload: JSON.parse(e.payload),
        prevHash: e.prev_hash,
        hash: e.hash,
      };
    });
  }

  async *rawEvents(): AsyncIterable<RawEvent> {
    for await (const rows of this.eventPages()) for (const r of rows) yield toRawEvent(r);
  }

  /** Keyset pages in sequence order: no server-side cursor, no long transaction. */
  private async *eventPages(): AsyncIterable<Row[]> {
    let after = 0;
    for (;;) {
      const rows = await this.q(
        'SELECT seq, at, actor, action, model, subject, payload, prev_hash, hash FROM events WHERE seq > $1 ORDER BY seq LIMIT $2',
        [after, CHAIN_BATCH],
      );
      if (!rows.length) return;
      yield rows;
      after = num(rows[rows.length - 1]!.seq);
      if (rows.length < CHAIN_BATCH) return;
    }
  }

  async *chainRows(): AsyncIterable<Array<[number, string, string]>> {
    // The envelope text of core's envelopeText(), assembled by the server (to_json quotes strings as
    // JSON.stringify does); verifyChain re-checks any row from rawEvent() if the two ever differ.
    let after = 0;
    for (;;) {
      const page = await this.raw<[string, string, string]>({
        text: `SELECT seq,
                 '{"action":' || to_json(action)::text || ',"actor":' || to_json(actor)::text || ',"at":' || to_json(at)::text ||
                 ',"model":' || coalesce(to_json(model)::text, 'null') || ',"payload":' || payload || ',"seq":' || seq ||
                 ',"subject":' || coalesce(to_json(subject)::text, 'null') || '}',
                 hash
               FROM events WHERE seq > $1 ORDER BY seq LIMIT ${CHAIN_BATCH}`,
        values: [after],
        rowMode: 'array',
      });
      if (!page.rows.length) return;
      const rows = page.rows.map((r) => [Number(r[0]), r[1], r[2]] as [number, string, string]);
      yield rows;
      after = rows[rows.length - 1]![0];
      if (rows.length < CHAIN_BATCH) return;
    }
  }

  async rawEvent(seq: number): Promise<RawEvent | undefined> {
    const r = await this.one(
      'SELECT seq, at, actor, action, model, subject, payload, prev_hash, hash FROM events WHERE seq = $1',
      [seq],
    );
    return r ? toRawEvent(r) : undefined;
  }

  async children(versionId: number): Promise<VersionRecord[]> {
    return (
      await this.q(
        `SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE v.parent_id = $1 ORDER BY m.name COLLATE "C", v.version`,
        [versionId],
      )
    ).map(toVersion);
  }

  async versionsByData(dataHash: string): Promise<VersionRecord[]> {
    return (
      await this.q(
        `SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE v.data_hash = $1 ORDER BY m.name COLLATE "C", v.version`,
        [dataHash],
      )
    ).map(toVersion);
  }

  async lastEvent(): Promise<{ seq: number; hash: string; at: string } | undefined> {
    // Inside a write the head is locked first, so no other writer can append between this read and
    // the insert that follows it.
    if (this.tx) await this.change('lastEvent');
    const r = await this.one('SELECT seq, hash, at FROM events ORDER BY seq DESC LIMIT 1');
    return r ? { seq: num(r.seq), hash: r.hash as string, at: r.at as string } : undefined;
  }

  async insertEvent(e: EventRecord): Promise<void> {
    await this.change('insertEvent');
    await this.q(
      'INSERT INTO events(seq, at, actor, action, model, subject, payload, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [e.seq, e.at, e.actor, e.action, e.model, e.subject, canonicalJson(e.payload ?? null), e.prevHash, e.hash],
    );
  }

  async openRollout(model: string): Promise<RolloutRecord | undefined> {
    const r = await this.one("SELECT * FROM rollouts WHERE model = $1 AND state IN ('active','paused')", [model]);
    return r ? toRollout(r) : undefined;
  }

  async rollouts(filter: { model?: string; open?: boolean; limit?: number }): Promise<RolloutRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.model) {
      args.push(filter.model);
      where.push(`model = $${args.length}`);
    }
    if (filter.open) where.push("state IN ('active','paused')");
    args.push(filter.limit ?? 1000);
    const rows = await this.q(
      `SELECT * FROM rollouts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.length}`,
      args,
    );
    return rows.map(toRollout);
  }

  async getRollout(id: number): Promise<RolloutRecord | undefined> {
    const r = await this.one('SELECT * FROM rollouts WHERE id = $1', [id]);
    return r ? toRollout(r) : undefined;
  }

  async insertRollout(r: RolloutInput): Promise<RolloutRecord> {
    await this.change('insertRollout');
    try {
      const row = await this.one(
        `INSERT INTO rollouts(rollout_key, model, candidate_id, champion_id, plan_name, plan, step, state, step_started_at, candidate_uri, champion_uri, gate_run_id, adr, last_commit, started_at, started_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING *`,
        [
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
        ],
      );
      return toRollout(row!);
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw new StorageError(`${r.model} already has a rollout in progress; see mlctl rollout status ${r.model}`, {
          cause: err,
        });
      throw err;
    }
  }

  async updateRollout(id: number, revision: number, patch: RolloutPatch): Promise<boolean> {
    await this.change('updateRollout');
    const sets: string[] = ['revision = revision + 1'];
    const args: unknown[] = [];
    for (const [k, col] of Object.entries(ROLLOUT_COLUMNS)) {
      const v = (patch as Record<string, unknown>)[k];
      if (v === undefined) continue;
      args.push((k === 'lastChecks' || k === 'pending') && v !== null ? JSON.stringify(v) : v);
      sets.push(`${col} = $${args.length}`);
    }
    args.push(id, revision);
    const rows = await this.q(
      `UPDATE rollouts SET ${sets.join(', ')} WHERE id = $${args.length - 1} AND revision = $${args.length} RETURNING id`,
      args,
    );
    return rows.length === 1;
  }

  async setRolloutChecks(id: number, checks: unknown, at: string): Promise<void> {
    await this.change('setRolloutChecks');
    await this.q('UPDATE rollouts SET last_checks = $1, updated_at = $2 WHERE id = $3', [
      JSON.stringify(checks),
      at,
      id,
    ]);
  }

  async recordStep(st: StepRecord): Promise<void> {
    await this.change('recordStep');
    await this.q(
      'INSERT INTO steps(id, model, action, rollout_key, stage, commit_sha, seq, at, actor, how) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      [st.id, st.model, st.action, st.rollout, st.stage, st.commit, st.seq, st.at, st.actor, st.how],
    );
  }

  async getStep(id: string): Promise<StepRecord | undefined> {
    const r = await this.one('SELECT * FROM steps WHERE id = $1', [id]);
    return r ? toStep(r) : undefined;
  }

  async lastStep(q: { model?: string; rollout?: string; committed?: boolean }): Promise<StepRecord | undefined> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.model !== undefined) {
      args.push(q.model);
      where.push(`model = $${args.length}`);
    }
    if (q.rollout !== undefined) {
      args.push(q.rollout);
      where.push(`rollout_key = $${args.length}`);
    }
    if (q.committed) where.push('commit_sha IS NOT NULL');
    const r = await this.one(
      `SELECT * FROM steps ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT 1`,
      args,
    );
    return r ? toStep(r) : undefined;
  }

  async insertCompareLook(l: CompareLookInput): Promise<number> {
    await this.change('insertCompareLook');
    const r = await this.one(
      `INSERT INTO compare_looks(${COMPARE_LOOK_COLUMNS.join(', ')}) VALUES (${COMPARE_LOOK_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
      compareLookRow(l),
    );
    return num(r!.id);
  }

  async compareLooks(q: { rolloutId: number; step?: number; check?: string }): Promise<CompareLookRecord[]> {
    const { sql, args } = compareLookQuery(q, (i) => `$${i}`);
    return (await this.q(sql, args)).map(compareLookOf);
  }
}
