import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit, note } from '../output.js';
import { UsageError } from '../../core/errors.js';
import { canPrompt } from '../io.js';
import type { AdapterName, InitAnswers } from '../../core/init.js';

interface InitFlags {
  yes?: boolean;
  force?: boolean;
  s3Endpoint?: string;
  s3Region?: string;
  adrDir?: string;
  model?: string;
  adapter?: string;
  servingFile?: string;
  gates?: boolean;
  github?: boolean;
  action?: string;
  gitMode?: string;
}

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
    .option('--adapter <name>', 'its serving adapter: kserve, istio, seldon or generic')
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
    .addHelpText(
      'after',
      `
The global --artifacts and --registry flags answer those questions (a folder or s3://…).
On a terminal init asks each question it has no flag for, shows the files, then writes them.
Without a terminal (or with CI=true) every answer must come from a flag or --yes.

Examples:
  $ mlctl init                                           # interactive
  $ mlctl init --yes                                     # embedded defaults
  $ mlctl init --yes --artifacts s3://ml/fraud --registry s3://ml/fraud/registry.db \\
      --s3-endpoint http://127.0.0.1:9000 --model fraud --adapter istio --github
  $ mlctl init --yes --model fraud --adapter istio --github --git-mode pull-request   # protected branch`,
    )
    .action(async (opts: InitFlags, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const core = await import('../../core/init.js');
      const { readTemplate } = await import('../templates.js');
      const d = core.initDefaults(deps.cwd);
      const interactive = !opts.yes && canPrompt(deps.io, deps.env);
      const prompter = interactive ? await deps.prompter() : null;
      const missing = (flag: string) =>
        new UsageError(
          `mlctl init needs ${flag} (no terminal to ask on${deps.env.CI === 'true' || deps.env.CI === '1' ? ', CI is set' : ''}); pass it, or --yes to accept the defaults`,
        );
      /** A flag's value, else the default with --yes, else the prompt, else exit 2 naming the flag. */
      const ask = async <T>(given: T | undefined, flag: string, fallback: T, prompt: () => Promise<T>): Promise<T> => {
        if (given !== undefined) return given;
        if (opts.yes) return fallback;
        if (prompter) return prompt();
        throw missing(flag);
      };
      const where = await ask(deps.overrides.artifacts, '--artifacts', d.artifacts, async () => {
        const kind = await prompter!.select(
          'Where should model artifacts be stored?',
          [
            { value: 'local', name: `a local folder (${d.artifacts})` },
            { value: 's3', name: 'an S3 bucket (AWS, MinIO, R2, Ceph…)' },
          ],
          'local',
        );
        if (kind === 'local') return prompter!.input('Artifact folder', d.artifacts);
        return prompter!.input('Artifact location (s3://bucket/prefix)', 's3://ml-artifacts/models', (v) =>
          /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(v)
            ? null
            : 'expected s3://bucket/prefix with a lowercase bucket name',
        );
      });
      const registry = await ask(deps.overrides.registry, '--registry', d.registry, async () => {
        const kind = await prompter!.select(
          'Where should the registry live?',
          [
            {
              value: 'local',
              name: `a local SQLite file (${d.registry})`,
              description: 'for one person or one machine',
            },
            {
              value: 's3',
              name: 'shared on S3',
              description: 'one registry for every terminal and CI runner, locked with conditional writes',
            },
          ],
          'local',
        );
        if (kind === 'local') return d.registry;
        const base = where.startsWith('s3://') ? where.replace(/\/+$/, '') : 's3://ml-artifacts/models';
        return prompter!.input('Shared registry object', `${base}/registry.db`);
      });
      const usesS3 = where.startsWith('s3://') || registry.startsWith('s3://');
      let s3Endpoint: string | undefined = opts.s3Endpoint;
      if (usesS3 && s3Endpoint === undefined && !opts.yes && prompter) {
        s3Endpoint =
          (await prompter.input('S3 endpoint (empty for AWS itself)', '', (v) =>
            !v || /^https?:\/\/[^\s/]+/.test(v) ? null : 'a URL such as http://127.0.0.1:9000',
          )) || undefined;
      }
      const adrDir = await ask(opts.adrDir, '--adr-dir', d.adrDir, () =>
        prompter!.input(d.adoptedAdrDir ? `ADR folder (found ${d.adoptedAdrDir})` : 'ADR folder', d.adrDir),
      );
      const modelAnswer = await ask(opts.model, '--model', 'none', () =>
        prompter!.input('A first model to roll out with mlctl (a name, or "none")', 'none'),
      );
      const model = modelAnswer === 'none' || modelAnswer === '' ? null : modelAnswer;
      let adapter: AdapterName | null = null;
      let servingFile: string | null = null;
      if (model) {
        adapter = (await ask(opts.adapter, '--adapter', 'istio', () =>
          prompter!.select<AdapterName>(
            'How is it served?',
            [
              { value: 'istio', name: 'Istio VirtualService', description: 'shadow, canary and ramp by route weights' },
              { value: 'kserve', name: 'KServe InferenceService', description: 'canaryTrafficPercent (no shadow)' },
              { value: 'seldon', name: 'Seldon Core v2', description: 'Experiment with candidates and mirror' },
              { value: 'generic', name: 'generic traffic file', description: 'for a custom gateway' },
            ],
            'istio',
          ),
        )) as AdapterName;
        servingFile = await ask(opts.servingFile, '--serving-file', d.servingFile(model, adapter), () =>
          prompter!.input('Serving config file', d.servingFile(model, adapter!)),
        );
      } else if (opts.adapter || opts.servingFile) {
        throw new UsageError('--adapter and --serving-file need --model <name>');
      }
      const gates = await ask(opts.gates, '--gates or --no-gates', true, () =>
        prompter!.confirm('Write a gate policy (gates.yaml)?', true),
      );
      const github = await ask(opts.github, '--github or --no-github', false, () =>
        prompter!.confirm('Add GitHub Actions workflows (gate on pull requests, scheduled rollouts)?', false),
      );
      const answers: InitAnswers = {
        artifacts: where,
        registry,
        s3Endpoint,
        s3Region: opts.s3Region,
        adrDir,
        model,
        adapter,
        servingFile,
        gates,
        github,
        action: opts.action ?? d.action,
        gitMode: (opts.gitMode ?? 'commit') as InitAnswers['gitMode'],
      };
      const plan = core.planInit(
        deps.cwd,
        answers,
        d,
        readTemplate,
        !!opts.force,
        deps.clock.now().toISOString().slice(0, 10),
      );
      if (prompter) {
        deps.io.err.write(
          `\nmlctl init will write in ${deps.cwd}:\n${plan.files.map((f) => `  ${f.action === 'keep' ? 'keep  ' : f.action === 'overwrite' ? 'OVERWRITE' : 'create'} ${f.path}`).join('\n')}\n`,
        );
        if (!(await prompter.confirm('Write these files?', true)))
          throw new UsageError('not confirmed; nothing written');
      }
      const r = core.applyInit(plan);
      // Create and migrate a local registry now, so read commands work straight away.
      if (!registry.startsWith('s3://')) await (await deps.registry({ create: true })).close();
      if (plan.adoptedAdrDir) note(ctx, `using the existing ADR folder ${plan.adoptedAdrDir}`);
      if (r.kept.length) note(ctx, `kept existing ${r.kept.join(', ')} (--force overwrites)`);
      await emit(ctx, r, () => `wrote ${r.written.join(', ')}\nregistry: ${r.registry}\nartifacts: ${r.artifacts}\n`);
      note(
        ctx,
        `next: mlctl register <model> <path> --metrics metrics.json${model ? `; then mlctl promote ${model}@1` : ''}`,
      );
    });
}
