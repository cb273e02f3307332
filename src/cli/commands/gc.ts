import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit } from '../output.js';
import { formatBytes } from '../../core/util/text.js';

export function registerGc(program: Command, deps: Deps): void {
  program
    .command('gc')
    .description('delete blobs that no version references')
    .option('--dry-run', 'only list what would be deleted')
    .option('--grace <duration>', 'keep unreferenced blobs younger than this (an upload may be about to commit)', '24h')
    .addHelpText('after', '\nExamples:\n  $ mlctl gc --dry-run\n  $ mlctl gc --grace 1h')
    .action(async (opts, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { collectGarbage } = await import('../../core/artifacts/gc.js');
      const { parseDuration } = await import('../../core/util/duration.js');
      const graceMs = parseDuration(opts.grace, '--grace');
      const r = await collectGarbage({ registry: await deps.registry(), store: await deps.artifacts(), clock: deps.clock, actor: await deps.actor() }, { dryRun: !!opts.dryRun, graceMs });
      const bytes = r.unreferenced.reduce((s, b) => s + b.size, 0);
      emit(ctx, r, () =>
        r.dryRun
          ? `${r.unreferenced.map((b) => `would delete sha256:${b.sha256} (${formatBytes(b.size)})\n`).join('')}${r.unreferenced.length} unreferenced blob(s), ${formatBytes(bytes)} would be freed; ${r.tooYoung} younger than ${opts.grace} kept\n`
          : `deleted ${r.deleted} blob(s), ${formatBytes(r.bytesFreed)} freed; ${r.scanned} scanned, ${r.tooYoung} younger than ${opts.grace} kept\n`,
      );
    });
}
