import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit } from '../output.js';
import { formatBytes } from '../../core/util/text.js';

export function registerGc(program: Command, deps: Deps): void {
  program
    .command('gc')
    .description(
      'delete blobs that no version references, partial uploads left by interrupted registers, and the serving folders of versions archived longer than the retention',
    )
    .option('--dry-run', 'only list what would be deleted')
    .option(
      '--grace <duration>',
      'keep unreferenced blobs and partial uploads younger than this (an upload may be about to commit)',
      '24h',
    )
    .option(
      '--retention <duration>',
      'keep serving folders (models/<model>/<version>/) of archived versions this long (default: gc.retention in mlctl.yaml, else 30d)',
    )
    .addHelpText('after', '\nExamples:\n  $ mlctl gc --dry-run\n  $ mlctl gc --grace 1h --retention 7d')
    .action(async (opts: { dryRun?: boolean; grace: string; retention?: string }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { collectGarbage } = await import('../../core/artifacts/gc.js');
      const { parseDuration } = await import('../../core/util/duration.js');
      const graceMs = parseDuration(opts.grace, '--grace');
      const { gc } = await deps.config();
      const retention = opts.retention ?? gc.retention;
      const retentionMs = opts.retention ? parseDuration(opts.retention, '--retention') : gc.retentionMs;
      const r = await collectGarbage(
        {
          registry: await deps.registry(),
          store: await deps.artifacts(),
          clock: deps.clock,
          actor: await deps.actor(),
        },
        { dryRun: !!opts.dryRun, graceMs, retentionMs },
      );
      const bytes = r.unreferenced.reduce((s, b) => s + b.size, 0);
      const kept = `${r.tooYoung} younger than ${opts.grace} kept${r.inUse ? `, ${r.inUse} in use by a register in progress kept` : ''}`;
      const partial = `${r.partial.removed} partial upload(s)${r.partial.bytes ? ` (${formatBytes(r.partial.bytes)})` : ''} ${r.dryRun ? 'would be removed' : 'removed'}${r.partial.kept ? `, ${r.partial.kept} younger than ${opts.grace} kept` : ''}\n`;
      await emit(ctx, r, () =>
        r.dryRun
          ? `${r.unreferenced.map((b) => `would delete sha256:${b.sha256} (${formatBytes(b.size)})\n`).join('')}${r.folders.map((f) => `would delete the serving folder of ${f.ref} (${f.files} file(s), ${formatBytes(f.size)})\n`).join('')}${r.unreferenced.length} unreferenced blob(s), ${formatBytes(bytes)} would be freed; ${kept}; ${r.foldersKept} archived serving folder(s) within ${retention} kept\n${partial}`
          : `deleted ${r.deleted} blob(s), ${formatBytes(r.bytesFreed)} freed; ${r.scanned} scanned, ${kept}\n${r.folders.length ? `deleted the serving folders of ${r.folders.map((f) => f.ref).join(', ')}\n` : ''}${r.foldersKept ? `${r.foldersKept} archived serving folder(s) within ${retention} kept\n` : ''}${r.stalePins ? `removed ${r.stalePins} expired pin(s) left by interrupted registers\n` : ''}${r.partial.removed || r.partial.kept ? partial : ''}`,
      );
    });
}
