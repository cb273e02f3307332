import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit } from '../output.js';

export function registerTag(program: Command, deps: Deps): void {
  program
    .command('tag')
    .description('set tags on a version (KEY=VALUE; an existing key is overwritten)')
    .argument('<ref>')
    .argument('<tags...>', 'KEY=VALUE pairs')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl tag fraud@4 team=risk ticket=ML-123\n  $ mlctl tag fraud@champion reviewed=yes --json',
    )
    .action(async (ref: string, tags: string[], _o: unknown, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { tagVersion } = await import('../../core/registry/mutate.js');
      const r = await tagVersion(
        { registry: await deps.registry(), clock: deps.clock, actor: await deps.actor() },
        ref,
        tags,
      );
      await emit(
        ctx,
        r,
        () =>
          `${r.ref}: ${Object.entries(r.tags)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}\n`,
      );
    });
}
