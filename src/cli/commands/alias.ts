import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit } from '../output.js';

export function registerAlias(program: Command, deps: Deps): void {
  const alias = program
    .command('alias')
    .description(
      'point named aliases (e.g. staging, candidate) at versions; champion is moved only by promote/rollback',
    )
    .addHelpText('after', '\nExamples:\n  $ mlctl alias set fraud@4 staging\n  $ mlctl alias rm fraud staging');
  alias
    .command('set')
    .description('point an alias at a version')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl alias set fraud@4 staging\n  $ mlctl alias set fraud@latest candidate --json',
    )
    .argument('<ref>')
    .argument('<alias>')
    .action(async (ref: string, name: string, _o: unknown, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { setAlias } = await import('../../core/registry/mutate.js');
      const r = await setAlias(
        { registry: await deps.registry(), clock: deps.clock, actor: await deps.actor() },
        ref,
        name,
      );
      await emit(
        ctx,
        r,
        () =>
          `${r.model}@${r.alias} → ${r.version}${r.previous !== null && r.previous !== r.version ? ` (was ${r.previous})` : ''}\n`,
      );
    });
  alias
    .command('rm')
    .description('remove an alias')
    .addHelpText('after', '\nExamples:\n  $ mlctl alias rm fraud staging')
    .argument('<model>')
    .argument('<alias>')
    .action(async (model: string, name: string, _o: unknown, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { removeAlias } = await import('../../core/registry/mutate.js');
      const r = await removeAlias(
        { registry: await deps.registry(), clock: deps.clock, actor: await deps.actor() },
        model,
        name,
      );
      await emit(ctx, r, () => `removed ${r.model}@${r.alias} (was ${r.previous})\n`);
    });
}
