import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { Deps } from '../deps.js';
import { commandCtx, emit, note } from '../output.js';
import type { SharedRegistryStatus } from '../../ports/shared-registry.js';

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
      'the shared registry on S3: its lock, moving a registry between a local file and S3; backups of any registry',
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
  $ mlctl registry push .mlctl/registry.db --to s3://ml/team/registry.db
  $ mlctl registry pull backup.db
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
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl registry push .mlctl/registry.db --to s3://ml/team/registry.db\n  $ mlctl registry push backups/registry.db --force   # restore a backup',
    )
    .description('upload a local registry file as the shared registry (refuses to replace one without --force)')
    .argument('<local>', 'the local registry database, e.g. .mlctl/registry.db')
    .option('--to <s3-uri>', 'the shared registry (default: registry in mlctl.yaml)')
    .option('--force', 'replace an existing shared registry')
    .action(async (local: string, opts: { to?: string; force?: boolean }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const admin = await deps.sharedRegistry(opts.to);
      const r = await admin.push(resolve(deps.cwd, local), !!opts.force);
      if (r.recovered) note(ctx, r.recovered);
      if (r.replaced) note(ctx, `replaced the previous ${admin.uri}`);
      await emit(ctx, { uri: admin.uri, ...r }, () => `pushed ${local} to ${admin.uri}\n`);
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
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl registry pull copy.db\n  $ mlctl registry pull .mlctl/registry.db --from s3://ml/team/registry.db --force',
    )
    .description('download the shared registry to a local file (refuses to overwrite without --force)')
    .argument('<local>', 'where to write it')
    .option('--from <s3-uri>', 'the shared registry (default: registry in mlctl.yaml)')
    .option('--force', 'overwrite an existing file')
    .action(async (local: string, opts: { from?: string; force?: boolean }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const admin = await deps.sharedRegistry(opts.from);
      const r = await admin.pull(resolve(deps.cwd, local), !!opts.force);
      await emit(ctx, { uri: admin.uri, local, ...r }, () => `pulled ${admin.uri} (${r.size} bytes) to ${local}\n`);
    });
}
