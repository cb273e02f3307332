import { verifyChain, type ChainVerification } from '../../core/audit/verify.js';
import { StorageError, UsageError } from '../../core/errors.js';
import type { Progress } from '../../ports/progress.js';
import type { Registry } from '../../ports/registry.js';
import { COMPARE_LOOK_COLUMNS } from './compare-look-rows.js';

/**
 * Every table of a registry in the order rows can be inserted (parents before children), with the
 * columns both backends share. A copy keeps every id, so event payloads that name rollouts and gate
 * runs by id stay true, and the audit chain is copied byte for byte.
 */
export const REGISTRY_TABLES: ReadonlyArray<{ table: string; columns: readonly string[] }> = [
  { table: 'models', columns: ['id', 'name', 'description', 'created_at', 'created_by'] },
  {
    table: 'versions',
    columns: [
      'id',
      'model_id',
      'version',
      'status',
      'manifest_digest',
      'file_count',
      'total_size',
      'data_hash',
      'code_commit',
      'code_branch',
      'code_dirty',
      'code_remote',
      'config',
      'feature_schema',
      'requirements',
      'parent_id',
      'description',
      'created_at',
      'created_by',
      'status_changed_at',
    ],
  },
  { table: 'artifacts', columns: ['version_id', 'path', 'size', 'sha256'] },
  { table: 'metrics', columns: ['version_id', 'slice', 'name', 'value', 'dataset_digest', 'dataset_name'] },
  { table: 'tags', columns: ['version_id', 'key', 'value'] },
  { table: 'aliases', columns: ['model_id', 'alias', 'version_id', 'updated_at', 'updated_by'] },
  {
    table: 'gate_runs',
    columns: [
      'id',
      'candidate_id',
      'baseline_id',
      'candidate_manifest',
      'baseline_manifest',
      'policy_digest',
      'dataset_digest',
      'source',
      'verdict',
      'report',
      'at',
      'actor',
    ],
  },
  {
    table: 'rollouts',
    columns: [
      'id',
      'model',
      'candidate_id',
      'champion_id',
      'plan_name',
      'plan',
      'step',
      'state',
      'step_started_at',
      'candidate_uri',
      'champion_uri',
      'gate_run_id',
      'adr',
      'revision',
      'last_checks',
      'last_commit',
      'outcome',
      'started_at',
      'started_by',
      'updated_at',
      'ended_at',
      'rollout_key',
      'pending',
    ],
  },
  {
    table: 'steps',
    columns: ['id', 'model', 'action', 'rollout_key', 'stage', 'commit_sha', 'seq', 'at', 'actor', 'how'],
  },
  { table: 'compare_looks', columns: ['id', ...COMPARE_LOOK_COLUMNS] },
  { table: 'events', columns: ['seq', 'at', 'actor', 'action', 'model', 'subject', 'payload', 'prev_hash', 'hash'] },
];

/** Rows as plain values: numbers, strings, null; `code_dirty` as 0/1 (SQLite's form). */
export type TableRow = Array<string | number | null>;

/** What a backend offers for whole-registry copies (not part of the Registry port: only transfers use it). */
export interface TableStore {
  /** True when the registry holds no models and no events (a copy never merges into live data). */
  isEmpty(): Promise<boolean>;
  exportRows(table: string, columns: readonly string[]): AsyncIterable<TableRow[]>;
  /** Inside write(): insert rows with their ids as given. */
  importRows(table: string, columns: readonly string[], rows: TableRow[]): Promise<void>;
  /** Inside write(), after the last table: bring id counters past the copied ids. */
  finishImport(): Promise<void>;
  countRows(table: string): Promise<number>;
  /**
   * Run `fn` on one snapshot of the data (a read-only transaction), so that a copy taken while
   * others write is the registry at one instant: its chain verified, then the same rows exported.
   */
  readConsistent<T>(fn: () => Promise<T>): Promise<T>;
}

export interface CopyResult {
  rows: Record<string, number>;
  events: number;
  head: string | null;
}

/** Verify a registry's audit chain or refuse it (exit 3), naming where it breaks. */
export async function requireIntactChain(reg: Registry, label: string): Promise<ChainVerification> {
  const chain = await verifyChain(reg);
  if (!chain.ok)
    throw new StorageError(
      `${label}: the audit chain is broken at event ${chain.broken!.seq} (${chain.broken!.reason}); nothing was copied — run mlctl audit verify there`,
    );
  return chain;
}

/** How many rows each registry table holds (for reports of byte copies, and progress). */
export async function countTables(store: TableStore): Promise<Record<string, number>> {
  const rows: Record<string, number> = {};
  for (const { table } of REGISTRY_TABLES) rows[table] = await store.countRows(table);
  return rows;
}

/**
 * Copy a whole registry: verify the source's audit chain, refuse a target that holds data, copy
 * every table in one transaction, verify the target's chain and compare its head with the source's.
 * Anything that differs rolls the target back: it is left as it was (empty).
 */
export async function copyRegistry(
  from: Registry & TableStore,
  to: Registry & TableStore,
  labels: { from: string; to: string },
  progress?: Progress,
): Promise<CopyResult> {
  return from.readConsistent(async () => {
    const source = await requireIntactChain(from, labels.from);
    if (!(await to.isEmpty()))
      throw new UsageError(
        `${labels.to} already holds a registry; copy into an empty one (a new database or file), or use --force where replacing is supported`,
      );
    if (progress) {
      const total = Object.values(await countTables(from)).reduce((a, b) => a + b, 0);
      progress.start('copying', total, 'items');
    }
    const rows: Record<string, number> = {};
    try {
      await to.write(async () => {
        for (const { table, columns } of REGISTRY_TABLES) {
          rows[table] = 0;
          for await (const batch of from.exportRows(table, columns)) {
            await to.importRows(table, columns, batch);
            rows[table] += batch.length;
            progress?.tick(batch.length);
          }
        }
        await to.finishImport();
        const target = await verifyChain(to);
        if (!target.ok || target.head !== source.head || target.events !== source.events)
          throw new StorageError(
            `${labels.to}: the copied audit chain does not match the source (${target.ok ? `head ${target.head?.slice(0, 12)} vs ${source.head?.slice(0, 12)}` : `broken at event ${target.broken!.seq}`}); nothing was written`,
          );
      });
    } finally {
      progress?.stop();
    }
    return { rows, events: source.events, head: source.head };
  });
}
