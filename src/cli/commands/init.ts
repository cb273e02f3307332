import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit, note } from '../output.js';
import { canPrompt } from '../io.js';
import { confirmOrDemand } from '../confirm.js';
import type { InitFlags } from '../../core/init/init.js';

type InitOptions = Omit<InitFlags, 'artifacts' | 'registry'> & { force?: boolean; newRegistry?: boolean };

export function registerInit(program: Command, deps: Deps): void {
  program
    .command('init')
    .description(
      'set up mlctl here: mlctl.yaml, gate policy, serving example, first ADR, GitHub workflows, and the registry',
    )
    .option('-y, --yes', 'accept the default for every question not given as a flag')
    .option('--force', 'overwrite existing files (mlctl.yaml included)')
    .option(
      '--s3-endpoint <url>',
      'S3-compatible endpoint for s3:// artifacts or registry (MinIO, R2, Ceph); empty for AWS',
    )
    .option('--s3-region <region>', 'S3 region (default us-east-1)')
    .option('--adr-dir <dir>', 'ADR folder (default: an existing .adr-dir or doc/adr, else docs/adr)')
    .option('--model <name>', 'a first model to serve, or "none"')
    .option('--adapter <name>', 'its serving adapter: kserve, istio, seldon, generic, tfserving or triton')
    .option('--serving-file <path>', 'its serving config file (default deploy/<model>/<adapter>.yaml)')
    .option('--gates', 'write gates.yaml, the gate policy (default)')
    .option('--no-gates', 'do not write gates.yaml')
    .option('--github', 'write GitHub Actions workflows (gate on pull requests, scheduled rollout ticks)')
    .option('--no-github', 'no GitHub workflows (default)')
    .option('--action <owner/repo@ref>', 'how the workflows refer to the mlctl action', 'mlctl-dev/mlctl@v1')
    .option(
      '--git-mode <mode>',
      'rollout steps as commits (commit, default) or as pull requests for protected branches (pull-request)',
    )
    .option(
      '--new-registry',
      'create the shared (s3://) registry now, as a new empty one; where this machine remembers one that disappeared, its last copy is kept aside',
    )
    .addHelpText(
      'after',
      `
The global --artifacts and --registry flags answer those questions (a folder or s3://…).
On a terminal init asks each question it has no flag for, shows the files, then writes them.
Without a terminal (or with CI=true) every answer must come from a flag or --yes.

Examples:
  $ mlctl init                                           # interactive
  $ mlctl init --yes                                     # embedded defaults
  $ mlctl init --yes --artifacts s3://mlops/fraud --registry s3://mlops/fraud/registry.db \\
      --s3-endpoint http://127.0.0.1:9000 --model fraud --adapter istio --github
  $ mlctl init --yes --force --registry s3://mlops/fraud/registry.db --new-registry   # start over on S3
  $ mlctl init --yes --model fraud --adapter istio --github --git-mode pull-request   # protected branch`,
    )
    .action(async (opts: InitOptions, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { planInit, applyInit } = await import('../../core/init/init.js');
      const { readTemplate } = await import('../templates.js');
      const interactive = !opts.yes && canPrompt(deps.io, deps.env);
      const plan = await planInit(
        {
          cwd: deps.cwd,
          clock: deps.clock,
          prompter: interactive ? await deps.prompter() : null,
          ci: deps.env.CI === 'true' || deps.env.CI === '1',
          template: readTemplate,
        },
        { ...opts, artifacts: deps.overrides.artifacts, registry: deps.overrides.registry },
      );
      await confirmOrDemand(deps, plan.confirm, false);
      const r = await applyInit(plan, async () => await (await deps.registry({ create: true })).close());
      if (opts.newRegistry) {
        const { startNewSharedRegistry } = await import('../../core/registry/create.js');
        const created = await startNewSharedRegistry(
          plan.answers.registry,
          () => deps.registry({ create: true, replaceLost: true }),
          { at: deps.clock.now().toISOString(), actor: () => deps.actor() },
        );
        note(ctx, `created the shared registry ${created.location}`);
      }
      if (plan.adoptedAdrDir) note(ctx, `using the existing ADR folder ${plan.adoptedAdrDir}`);
      if (r.kept.length) note(ctx, `kept existing ${r.kept.join(', ')} (--force overwrites)`);
      await emit(ctx, r, () => `wrote ${r.written.join(', ')}\nregistry: ${r.registry}\nartifacts: ${r.artifacts}\n`);
      const model = plan.answers.model;
      note(
        ctx,
        `next: mlctl register <model> <path> --metrics metrics.json${model ? `; then mlctl promote ${model}@1` : ''}`,
      );
    });
}
