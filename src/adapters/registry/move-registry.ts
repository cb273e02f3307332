import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { verifyChain } from '../../core/audit/verify.js';
import { StorageError, UsageError } from '../../core/errors.js';
import type { TransferEnd, TransferPlan } from '../../core/registry/transfer-plan.js';
import { fsFailure, isFsError } from '../../core/util/fs-errors.js';
import type { Progress } from '../../ports/progress.js';
import type { Registry } from '../../ports/registry.js';
import type { MoveResult, RegistryMover } from '../../ports/registry-mover.js';
import { parsePgUrl } from '../postgres/connection.js';
import type { PgRegistry } from '../postgres/pg-registry.js';
import { SqliteRegistry } from '../sqlite/sqlite-registry.js';
import type { FastHeadTarget } from './fast-head.js';
import { mustPassCheck, pushRegistry } from './registry-transfer.js';
import { sharedRemote, type S3Remote } from './s3-remote.js';
import { copyRegistry, countTables, requireIntactChain, type TableStore } from './table-copy.js';

type Env = Record<string, string | undefined>;

export interface MoverContext {
  s3: Omit<FastHeadTarget, 'bucket' | 'key'>;
  env: Env;
  progress: Progress;
}

type Copied = Pick<MoveResult, 'rows' | 'events' | 'head'>;
type Source = Registry & TableStore;

/** Where the copy goes, checked before anything is read: a refused target costs nothing. */
type Target =
  | { kind: 'file'; path: string; existed: boolean }
  | { kind: 's3'; remote: S3Remote }
  | { kind: 'postgres'; reg: PgRegistry };

export function makeRegistryMover(c: MoverContext): RegistryMover {
  return { move: (plan, opts) => moveRegistry(plan, opts, c) };
}

/**
 * Move a whole registry. Between SQLite files and the S3-shared file the bytes are copied (a
 * consistent snapshot, checked); whenever PostgreSQL is an end, the rows are (copyRegistry). Either
 * way the source's audit chain is verified before anything is written, and the result's after:
 * files are staged and renamed into place, PostgreSQL is written in one transaction, an S3 upload
 * is downloaded again and its chain checked.
 */
export async function moveRegistry(plan: TransferPlan, opts: { force: boolean }, c: MoverContext): Promise<MoveResult> {
  const labels = { from: label(plan.from, c.env), to: label(plan.to, c.env) };
  const work = mkdtempSync(join(tmpdir(), 'mlctl-move-'));
  const cleanup: Array<() => Promise<void> | void> = [];
  try {
    const target = await openTarget(plan.to, labels.to, opts.force, c, cleanup);
    const m = new Move(plan, labels, target, opts.force, c, work, cleanup);
    return { from: labels.from, to: labels.to, route: plan.route, ...(await m.run()) };
  } finally {
    for (const f of cleanup.reverse()) await Promise.resolve(f()).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

/** A location as it may be printed: PostgreSQL URLs as user@host:port/db (never a password). */
function label(e: TransferEnd, env: Env): string {
  return e.scheme === 'postgres' ? parsePgUrl(e.location, env).display : e.location;
}

async function openPg(location: string, env: Env, where: string, create: boolean): Promise<PgRegistry> {
  const { PgRegistry } = await import('../postgres/pg-registry.js');
  return PgRegistry.open(parsePgUrl(location, env, where), env, { create });
}

async function openTarget(
  end: TransferEnd,
  name: string,
  force: boolean,
  c: MoverContext,
  cleanup: Array<() => Promise<void> | void>,
): Promise<Target> {
  if (end.scheme === 'file') {
    const existed = existsSync(end.location);
    if (existed && !force) throw new UsageError(`${name} exists; pass --force to replace it`);
    return { kind: 'file', path: end.location, existed };
  }
  if (end.scheme === 's3') {
    const remote = sharedRemote(end.location, c.s3, c.env);
    const head = await remote.head();
    if (head && !force) throw new UsageError(`${name} already exists (${head.size} bytes); pass --force to replace it`);
    return { kind: 's3', remote };
  }
  const reg = await openPg(end.location, c.env, '--to', true);
  cleanup.push(() => reg.close());
  if (!(await reg.isEmpty())) {
    const [models, events] = [await reg.countRows('models'), await reg.countRows('events')];
    // Replacing would mean deleting audit events, which the database refuses (triggers) and mlctl never does.
    throw new UsageError(
      `${name} already holds a registry (${models} models, ${events} events); mlctl never replaces a PostgreSQL registry, even with --force, because that would delete its audit log — create an empty database and push into it`,
    );
  }
  return { kind: 'postgres', reg };
}

class Move {
  constructor(
    private readonly plan: TransferPlan,
    private readonly labels: { from: string; to: string },
    private readonly target: Target,
    private readonly force: boolean,
    private readonly c: MoverContext,
    private readonly work: string,
    private readonly cleanup: Array<() => Promise<void> | void>,
  ) {}

  async run(): Promise<Omit<MoveResult, 'from' | 'to' | 'route'>> {
    const t = this.target;
    if (this.plan.route === 'bytes') {
      // A staged copy of the source: next to a file target (renamed into place), else in the work folder.
      const staged = t.kind === 'file' ? this.tempBeside(t.path) : join(this.work, 'source.db');
      await this.stageBytes(staged);
      const copied = await this.checkFile(staged, this.labels.from);
      return this.deliverFile(staged, copied);
    }
    const source = await this.openSource();
    if (t.kind === 'postgres') return { ...(await this.copy(source, t.reg)), replaced: false };
    const staged = t.kind === 'file' ? this.tempBeside(t.path) : join(this.work, 'copy.db');
    const reg = SqliteRegistry.open(staged, { create: true, journal: 'delete', location: this.labels.to });
    let copied: Copied;
    try {
      copied = await this.copy(source, reg);
    } finally {
      reg.closeSync();
    }
    return this.deliverFile(staged, copied);
  }

  private copy(source: Source, to: Source): Promise<Copied> {
    return copyRegistry(source, to, this.labels, this.c.progress);
  }

  private tempBeside(path: string): string {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw fsFailure(err, '(the target folder)');
    }
    const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
    this.cleanup.push(() => {
      for (const s of ['', '-wal', '-shm', '-journal']) rmSync(`${tmp}${s}`, { force: true });
    });
    return tmp;
  }

  /** The source as one SQLite file at `staged`: a snapshot of a file, or the S3 object downloaded. */
  private async stageBytes(staged: string): Promise<void> {
    const from = this.plan.from;
    if (from.scheme === 'file') {
      const reg = this.openSourceFile(from.location);
      try {
        reg.snapshotTo(staged);
      } finally {
        reg.closeSync();
      }
    } else {
      const got = await sharedRemote(from.location, this.c.s3, this.c.env).download(staged);
      if (!got) throw new UsageError(`${this.labels.from} does not exist; nothing was copied`);
    }
    await mustPassCheck(staged, `the copy of ${this.labels.from}`, 'nothing was copied');
  }

  private openSourceFile(path: string, label = path): SqliteRegistry {
    if (!existsSync(path))
      throw new UsageError(`${path} does not exist; name a registry file such as .mlctl/registry.db`);
    assertRegistryFile(path, label);
    return SqliteRegistry.open(path);
  }

  private async openSource(): Promise<Source> {
    const from = this.plan.from;
    if (from.scheme === 'postgres') {
      const reg = await openPg(from.location, this.c.env, 'the source', false);
      this.cleanup.push(() => reg.close());
      return reg;
    }
    let path = from.location;
    if (from.scheme === 's3') {
      path = join(this.work, 'source.db');
      await this.stageBytes(path);
    }
    if (from.scheme !== 'file') assertRegistryFile(path, from.location);
    const reg =
      from.scheme === 'file' ? this.openSourceFile(path) : SqliteRegistry.open(path, { location: from.location });
    this.cleanup.push(() => reg.closeSync());
    return reg;
  }

  /** Open a staged SQLite file (bringing its schema up to date), verify its chain, count its rows. */
  private async checkFile(file: string, name: string): Promise<Copied> {
    const reg = SqliteRegistry.open(file, { journal: 'delete', location: name });
    try {
      const chain = await requireIntactChain(reg, name);
      return { rows: await countTables(reg), events: chain.events, head: chain.head };
    } finally {
      reg.closeSync();
    }
  }

  /** Put a checked SQLite file where the target is: renamed over a file, uploaded to S3. */
  private async deliverFile(staged: string, copied: Copied): Promise<Omit<MoveResult, 'from' | 'to' | 'route'>> {
    const t = this.target;
    if (t.kind === 'file') {
      try {
        // A replaced registry's WAL must not be replayed into the new file.
        for (const s of ['-wal', '-shm']) rmSync(`${t.path}${s}`, { force: true });
        renameSync(staged, t.path);
      } catch (err) {
        throw isFsError(err) ? fsFailure(err, `(${t.path})`) : err;
      }
      return { ...copied, replaced: t.existed };
    }
    if (t.kind !== 's3') throw new Error('deliverFile: PostgreSQL is written by copyRegistry');
    const up = await pushRegistry(t.remote, staged, this.force);
    await this.checkUploaded(t.remote, copied);
    return { ...copied, replaced: up.replaced, ...(up.recovered ? { recovered: up.recovered } : {}) };
  }

  /**
   * Download what was uploaded and verify its chain. Someone may already have written on top of it
   * (the shared registry is live), so the copied chain must be a prefix: its last event is ours.
   */
  private async checkUploaded(remote: S3Remote, copied: Copied): Promise<void> {
    const file = join(this.work, 'uploaded.db');
    if (!(await remote.download(file)))
      throw new StorageError(`${remote.uri} is gone right after the upload; check mlctl registry status`);
    const reg = SqliteRegistry.open(file, { journal: 'delete', location: remote.uri });
    try {
      const chain = await verifyChain(reg);
      const last = copied.events ? (await reg.rawEvent(copied.events))?.hash : null;
      if (!chain.ok || chain.events < copied.events || (last ?? null) !== copied.head)
        throw new StorageError(
          `${remote.uri}: the uploaded registry's audit chain does not match the source (${chain.ok ? `head ${(last ?? 'none').slice(0, 12)} vs ${copied.head?.slice(0, 12)}` : `broken at event ${chain.broken!.seq}`}); push it again with --force`,
        );
    } finally {
      reg.closeSync();
    }
  }
}

/**
 * A source must already be an mlctl registry: opening it as one would bring an empty or foreign
 * SQLite file up to mlctl's schema (writing into the source) and copy nothing over the target.
 */
function assertRegistryFile(path: string, label: string): void {
  let version: unknown;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const hasModels = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'models'").get();
      version = hasModels ? db.pragma('user_version', { simple: true }) : 0;
    } finally {
      db.close();
    }
  } catch {
    version = 0;
  }
  if (!(typeof version === 'number' && version > 0))
    throw new UsageError(
      `${label} is not an mlctl registry (empty, or a SQLite file without mlctl's tables); nothing was copied — name a registry file such as .mlctl/registry.db`,
    );
}
