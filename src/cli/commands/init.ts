import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit, note } from '../output.js';
import { UsageError } from '../../core/errors.js';
import { canPrompt } from '../io.js';

export function registerInit(program: Command, deps: Deps): void {
  program
    .command('init')
    .description('set up mlctl in this folder: mlctl.yaml, .mlctl/ and an empty registry')
    .option('-y, --yes', 'accept the embedded defaults for every question')
    .option('--force', 'overwrite an existing mlctl.yaml')
    .addHelpText('after', '\nExamples:\n  $ mlctl init --yes\n  $ mlctl init --yes --artifacts s3://ml-artifacts/fraud --registry .mlctl/registry.db')
    .action(async (opts, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      if (!opts.yes) {
        const why = canPrompt(deps.io, deps.env) ? 'interactive init is not available yet' : 'no terminal to ask questions on';
        throw new UsageError(`${why}; run 'mlctl init --yes' to accept the defaults`);
      }
      const { initProject } = await import('../../core/init.js');
      const { readTemplate } = await import('../templates.js');
      const r = initProject({ dir: deps.cwd, configTemplate: readTemplate('mlctl.yaml'), registry: deps.overrides.registry, artifacts: deps.overrides.artifacts, force: !!opts.force });
      // Create and migrate the registry now, so read commands work straight away.
      if (!deps.overrides.registry?.startsWith('s3://')) (await deps.registry({ create: true })).close();
      emit(ctx, r, () => `wrote ${r.written.join(', ')}\nregistry: ${r.registry}\nartifacts: ${r.artifacts}\n`);
      note(ctx, `next: mlctl register <model> <path> --metrics metrics.json`);
    });
}
