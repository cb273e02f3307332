import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit } from '../output.js';

export function registerArchive(program: Command, deps: Deps): void {
  program
    .command('archive')
    .description('archive a version (kept for lineage and rollback; its blobs stay while referenced)')
    .argument('<ref>')
    .addHelpText('after', '\nExamples:\n  $ mlctl archive fraud@2\n  $ mlctl archive fraud@staging --json')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { archiveVersion } = await import('../../core/registry/mutate.js');
      const r = await archiveVersion(
        { registry: await deps.registry(), clock: deps.clock, actor: await deps.actor() },
        ref,
      );
      await emit(ctx, r, () => `${r.ref} ${r.changed ? 'archived' : 'was already archived'}\n`);
    });
}
