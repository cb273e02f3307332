import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit, note } from '../output.js';
import { UsageError } from '../../core/errors.js';

/** The S3 objects of the configured (or given) shared registry. */
async function remoteOf(deps: Deps, uri?: string) {
  const cfg = await deps.config();
  const target = uri ?? cfg.registry;
  if (!target.startsWith('s3://'))
    throw new UsageError(
      `the registry is ${target}, not shared on S3; set registry: s3://bucket/prefix/registry.db in mlctl.yaml (or pass --to/--from)`,
    );
  const { sharedRemote } = await import('../../adapters/registry/s3-remote.js');
  return sharedRemote(target, cfg.s3, deps.env);
}

export function registerSharedRegistry(program: Command, deps: Deps): void {
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
    .description('the shared registry: remote object, lock holder')
    .action(async (_o, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { sharedStatus } = await import('../../adapters/registry/registry-transfer.js');
      const s = await sharedStatus(await remoteOf(deps), deps.clock.now());
      await emit(ctx, s, () => {
        const lines = [
          `registry: ${s.uri}`,
          s.remote ? `remote: ${s.remote.size} bytes, ETag ${s.remote.etag}` : 'remote: does not exist yet',
        ];
        lines.push(
          s.lock
            ? `lock: held by ${s.lock.actor} on ${s.lock.host} (pid ${s.lock.pid}, \`${s.lock.command}\`) since ${s.lock.created}; ${s.lock.expired ? 'EXPIRED (the next write takes it over)' : `expires ${s.lock.expires}`}; id ${s.lock.id}`
            : 'lock: free',
        );
        return `${lines.join('\n')}\n`;
      });
    });

  reg
    .command('unlock')
    .description('remove a stale lock by its id (recorded in the audit log)')
    .argument('<lock-id>', 'as shown by mlctl registry status')
    .action(async (id: string, _o, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { unlockShared } = await import('../../adapters/registry/registry-transfer.js');
      const removed = await unlockShared(await remoteOf(deps), id);
      const registry = await deps.registry();
      const { appendEvent } = await import('../../core/audit/chain.js');
      const actor = await deps.actor();
      await registry.write(
        async () =>
          await appendEvent(registry, {
            at: deps.clock.now().toISOString(),
            actor,
            action: 'registry.unlock',
            model: null,
            subject: null,
            payload: { lock: removed },
          }),
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
    .description('upload a local registry file as the shared registry (refuses to replace one without --force)')
    .argument('<local>', 'the local registry database, e.g. .mlctl/registry.db')
    .option('--to <s3-uri>', 'the shared registry (default: registry in mlctl.yaml)')
    .option('--force', 'replace an existing shared registry')
    .action(async (local: string, opts, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { pushRegistry } = await import('../../adapters/registry/registry-transfer.js');
      const remote = await remoteOf(deps, opts.to);
      const { resolve } = await import('node:path');
      const r = await pushRegistry(remote, resolve(deps.cwd, local), !!opts.force);
      if (r.recovered) note(ctx, r.recovered);
      if (r.replaced) note(ctx, `replaced the previous ${remote.uri}`);
      await emit(ctx, { uri: remote.uri, ...r }, () => `pushed ${local} to ${remote.uri}\n`);
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
      const { resolve } = await import('node:path');
      const r = await backupRegistry(await deps.registry(), resolve(deps.cwd, file), { force: !!opts.force });
      await emit(ctx, r, () => `backed up ${r.location} to ${file} (${r.bytes} bytes)\n`);
    });

  reg
    .command('pull')
    .description('download the shared registry to a local file (refuses to overwrite without --force)')
    .argument('<local>', 'where to write it')
    .option('--from <s3-uri>', 'the shared registry (default: registry in mlctl.yaml)')
    .option('--force', 'overwrite an existing file')
    .action(async (local: string, opts, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { pullRegistry } = await import('../../adapters/registry/registry-transfer.js');
      const remote = await remoteOf(deps, opts.from);
      const { resolve } = await import('node:path');
      const r = await pullRegistry(remote, resolve(deps.cwd, local), !!opts.force);
      await emit(ctx, { uri: remote.uri, local, ...r }, () => `pulled ${remote.uri} (${r.size} bytes) to ${local}\n`);
    });
}
