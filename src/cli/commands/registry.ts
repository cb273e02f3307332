import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { Deps } from '../deps.js';
import { commandCtx, emit, note, type CommandCtx } from '../output.js';
import type { SharedRegistryStatus } from '../../ports/shared-registry.js';
import type { MoveResult } from '../../ports/registry-mover.js';
import { transferRegistry, type TransferDeps } from '../../core/registry/transfer.js';

const TRANSFER_HELP = `Moves a whole registry between a SQLite file, the S3-shared file and PostgreSQL, in any direction.
The source's audit chain is verified before anything is written, the copy's after. Between files and
S3 the SQLite file is copied as it is (a consistent snapshot); to or from PostgreSQL the rows are
copied, every id kept, the chain byte for byte, in one transaction. A file target is written beside
it and renamed into place; an S3 target is downloaded again after the upload and checked.
--force replaces a file or an S3 object. A PostgreSQL target must be empty, even with --force:
replacing it would delete its audit log, which mlctl never does (create an empty database instead).
Passwords come from PGPASSWORD or ~/.pgpass, never from the URL.
`;

async function transferDeps(ctx: CommandCtx): Promise<TransferDeps> {
  const deps = ctx.deps;
  return {
    mover: await deps.registryMover(await deps.progress(ctx.quiet || ctx.json)),
    configured: async () => (await deps.config()).registry,
    cwd: deps.cwd,
  };
}

function summary(r: MoveResult): string {
  const versions = r.rows.versions ?? 0;
  return `${r.rows.models ?? 0} models, ${versions} versions, ${r.events} events, chain head ${r.head ? r.head.slice(0, 12) : '(none)'} verified on both sides`;
}

function renderMove(ctx: CommandCtx, r: MoveResult): void {
  if (r.recovered) note(ctx, r.recovered);
  if (r.replaced) note(ctx, `replaced the previous ${r.to}`);
}

function renderStatus(s: SharedRegistryStatus): string {
  const lines = [
    `registry: ${s.uri}`,
    s.remote ? `remote: ${s.remote.size} bytes, ETag ${s.remote.etag}` : 'remote: does not exist yet',
    s.lock
      ? `lock: held by ${s.lock.actor} on ${s.lock.host} (pid ${s.lock.pid}, \`${s.lock.command}\`) since ${s.lock.created}; ${s.lock.expired ? 'EXPIRED (the next write takes it over)' : `expires ${s.lock.expires}`}; id ${s.lock.id}`
      : 'lock: free',
  ];
  return `${lines.join('\n')}\n`;
}

export function registerRegistry(program: Command, deps: Deps): void {
  const reg = program
    .command('registry')
    .description(
      'the shared registry on S3: its lock; moving a registry between a file, S3 and PostgreSQL; backups of any registry',
    )
    .addHelpText(
      'after',
      `
With registry: s3://bucket/prefix/registry.db in mlctl.yaml every terminal and CI runner shares one
registry. Reads check a local cached copy with one HEAD; writes take a lock object (If-None-Match),
upload with If-Match, and release the lock. Global flags: --offline, --lock-timeout 30s.

Examples:
  $ mlctl registry status
  $ mlctl registry unlock 0b6f…         # a lock left by a killed process
  $ mlctl registry push .mlctl/registry.db --to s3://mlops/team/registry.db
  $ mlctl registry push .mlctl/registry.db --to postgres://mlctl@db.internal/mlctl
  $ mlctl registry pull backup.db --from postgres://mlctl@db.internal/mlctl
  $ mlctl registry backup backups/registry.db`,
    );

  reg
    .command('status')
    .addHelpText('after', '\nExamples:\n  $ mlctl registry status\n  $ mlctl registry status --json')
    .description('the shared registry: remote object, lock holder')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const s = await (await deps.sharedRegistry()).status(deps.clock.now());
      await emit(ctx, s, () => renderStatus(s));
    });

  reg
    .command('unlock')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl registry status                 # shows the lock id\n  $ mlctl registry unlock 0b6f2c1e-9d4a-4c2e-8f3b-5a7d9e1c2b40',
    )
    .description('remove a stale lock by its id (recorded in the audit log)')
    .argument('<lock-id>', 'as shown by mlctl registry status')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { unlockSharedRegistry } = await import('../../core/registry/unlock.js');
      const removed = await unlockSharedRegistry(
        {
          admin: await deps.sharedRegistry(),
          registry: () => deps.registry(),
          clock: deps.clock,
          actor: () => deps.actor(),
        },
        id,
      );
      await emit(
        ctx,
        removed,
        () =>
          `removed the lock ${removed.id} of ${removed.actor} (pid ${removed.pid} on ${removed.host}, since ${removed.created})\n`,
      );
    });

  reg
    .command('push')
    .description(
      'copy a whole registry (SQLite file, s3://… shared file or postgres://…) to another, verifying the audit chain on both sides',
    )
    .argument(
      '<source>',
      'the registry to copy: a file such as .mlctl/registry.db, s3://bucket/key or postgres://user@host/db',
    )
    .option('--to <target>', 'where to copy it: a file, s3://… or postgres://… (default: registry in mlctl.yaml)')
    .option('--force', 'replace an existing file or S3 object (never a PostgreSQL registry)')
    .addHelpText(
      'after',
      `\n${TRANSFER_HELP}
Examples:
  $ mlctl registry push .mlctl/registry.db --to s3://mlops/team/registry.db          # file → S3-shared
  $ mlctl registry push .mlctl/registry.db --to postgres://mlctl@db.internal/mlctl  # file → PostgreSQL
  $ mlctl registry push s3://mlops/team/registry.db --to postgres://mlctl@db.internal/mlctl  # S3 → PostgreSQL
  $ mlctl registry push postgres://mlctl@db.internal/mlctl --to s3://mlops/dr/registry.db --force  # PostgreSQL → S3
  $ mlctl registry push backup.db --force --json                                    # into the configured registry`,
    )
    .action(async (source: string, opts: { to?: string; force?: boolean }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const r = await transferRegistry(await transferDeps(ctx), {
        direction: 'push',
        source,
        ...(opts.to !== undefined ? { to: opts.to } : {}),
        force: !!opts.force,
      });
      renderMove(ctx, r);
      await emit(ctx, r, () => `copied ${r.from} to ${r.to}: ${summary(r)}\n`);
    });

  reg
    .command('backup')
    .description(
      "a consistent copy of the registry (local or shared) in a local file: SQLite's online backup, checked before it is kept",
    )
    .argument('<file>', 'where to write the copy')
    .option('--force', 'replace an existing file')
    .addHelpText(
      'after',
      '\nWrites and reads may go on meanwhile. Restore a local registry by copying the backup over it\n(with its -wal and -shm files removed), a shared one with mlctl registry push <file> --force.\n\nExamples:\n  $ mlctl registry backup backups/registry-2026-11-30.db\n  $ mlctl registry backup /mnt/nas/registry.db --force --json',
    )
    .action(async (file: string, opts: { force?: boolean }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { backupRegistry } = await import('../../core/registry/integrity.js');
      const r = await backupRegistry(await deps.registry(), resolve(deps.cwd, file), { force: !!opts.force });
      await emit(ctx, r, () => `backed up ${r.location} to ${file} (${r.bytes} bytes)\n`);
    });

  reg
    .command('pull')
    .description('copy a whole registry (the configured one, s3://… or postgres://…) into a local SQLite file')
    .argument('<local-file>', 'where to write it (staged beside it and renamed into place)')
    .option('--from <source>', 'the registry to copy: s3://…, postgres://… or a file (default: registry in mlctl.yaml)')
    .option('--force', 'replace an existing file')
    .addHelpText(
      'after',
      `\n${TRANSFER_HELP}
Examples:
  $ mlctl registry pull backup.db                                         # the configured registry
  $ mlctl registry pull local.db --from s3://mlops/team/registry.db          # S3-shared → file
  $ mlctl registry pull local.db --from postgres://mlctl@db.internal/mlctl --force --json  # PostgreSQL → file`,
    )
    .action(async (local: string, opts: { from?: string; force?: boolean }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const r = await transferRegistry(await transferDeps(ctx), {
        direction: 'pull',
        local,
        ...(opts.from !== undefined ? { from: opts.from } : {}),
        force: !!opts.force,
      });
      renderMove(ctx, r);
      await emit(ctx, r, () => `copied ${r.from} to ${r.to}: ${summary(r)}\n`);
    });
}
