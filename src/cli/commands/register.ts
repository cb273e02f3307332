import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit, note } from '../output.js';
import { collect } from '../options.js';
import { formatBytes } from '../../core/util/text.js';

interface RegisterOptions {
  metrics?: string;
  schema?: string;
  data?: string;
  dataHash?: string;
  config?: string;
  requirements?: string;
  parent?: string;
  tag: string[];
  description?: string;
  allowDuplicate?: boolean;
  followLinks?: boolean;
  hashCache?: boolean;
}

export function registerRegister(program: Command, deps: Deps): void {
  program
    .command('register')
    .description('register a new model version: hash, upload missing blobs, record metadata')
    .argument('<model>', 'model name, e.g. fraud')
    .argument('<path...>', 'files or folders with the model artifacts')
    .option('--metrics <file>', 'metrics JSON: {"auc": 0.91} or {"dataset": {...}, "metrics": {...}, "slices": {...}}')
    .option(
      '--schema <file>',
      'feature schema JSON: {"inputs": [...], "outputs": [...]} (default for an MLflow model folder: its signature)',
    )
    .option('--data <path>', 'training data file or folder to hash (not uploaded)')
    .option('--data-hash <sha256:hex>', 'training data digest computed elsewhere')
    .option('--config <file>', 'training config (JSON or YAML)')
    .option('--requirements <file>', 'requirements/lock file of the training environment')
    .option('--parent <ref>', 'version this one was derived from, e.g. fraud@3')
    .option('--tag <key=value>', 'tag the version (repeatable)', collect, [])
    .option('--description <text>', 'free-text description')
    .option('--allow-duplicate', 'create a new version even if the same content and code commit exist')
    .option('--follow-links', 'store what symbolic links leaving the folder point to (refused otherwise)')
    .option(
      '--no-hash-cache',
      'hash every byte instead of reusing digests of unchanged files (same inode, size and times)',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ mlctl register fraud model/ --metrics eval/metrics.json --schema schema.json --data data/train/
  $ mlctl register fraud model.onnx --data-hash sha256:9f86d0… --tag team=risk --parent fraud@3
  $ mlctl register fraud ./mlflow-model/    # MLmodel at its root: flavors and signature are recorded

Re-registering the same content from the same commit prints the existing version and exits 0.
Never stored: .git/, mlctl's registry file, artifact store and cache, paths matched by a
.mlctlignore file (gitignore syntax), directory links and dangling links; each is listed.
Digests of files unchanged since the last run (same device, inode, size, mtime and ctime) come from
the hash cache in the user cache folder (MLCTL_CACHE_DIR, else ~/.cache/mlctl); verify never uses it.`,
    )
    .action(async (model: string, paths: string[], opts: RegisterOptions, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { registerVersion } = await import('../../core/registry/register.js');
      const registry = await deps.registry({ create: true });
      const cfg = await deps.config();
      const { cacheRoot } = await import('../deps.js');
      const { mlctlOwnPaths } = await import('../../core/artifacts/collect.js');
      const protect = mlctlOwnPaths({
        cacheRoot: cacheRoot(deps.env),
        registry: cfg.registry,
        artifacts: cfg.artifacts,
      });
      const hashCache = opts.hashCache === false ? undefined : await deps.hashCache();
      if (hashCache?.problem) ctx.warnings.push(hashCache.problem);
      const result = await registerVersion(
        {
          registry,
          store: deps.artifacts(),
          clock: deps.clock,
          actor: await deps.actor(),
          cwd: deps.cwd,
          git: await deps.git(),
          progress: await deps.progress(ctx.quiet || ctx.json),
          protect,
          hashCache,
        },
        {
          model,
          paths,
          metricsFile: opts.metrics,
          schemaFile: opts.schema,
          dataPath: opts.data,
          dataHash: opts.dataHash,
          configFile: opts.config,
          requirementsFile: opts.requirements,
          parent: opts.parent,
          tags: opts.tag,
          description: opts.description,
          allowDuplicate: !!opts.allowDuplicate,
          followLinks: !!opts.followLinks,
        },
      );
      if (result.excluded.length) {
        const shown = result.excluded.slice(0, 10).map((e) => `${e.path} (${e.reason})`);
        if (result.excluded.length > 10) shown.push(`and ${result.excluded.length - 10} more (see --json)`);
        note(ctx, `skipped ${result.excluded.length} path(s): ${shown.join(', ')}`);
      }
      ctx.warnings.push(...result.warnings);
      if (result.mlflow)
        note(
          ctx,
          `MLflow model: flavors ${result.mlflow.flavors.join(', ')}; feature schema ${result.mlflow.schemaFrom === 'signature' ? 'from its signature' : result.mlflow.schemaFrom === '--schema' ? 'from --schema' : 'not recorded (no column-based signature)'}`,
        );
      if (result.created) {
        note(
          ctx,
          `registered ${result.ref}: ${result.files} file(s), ${formatBytes(result.totalSize)}; uploaded ${result.uploaded.blobs} blob(s) (${formatBytes(result.uploaded.bytes)}), ${result.skipped.blobs} already stored`,
        );
        if (result.code?.dirty)
          ctx.warnings.push(
            'the git working tree has uncommitted changes: the recorded commit does not fully describe the training code',
          );
      } else {
        note(
          ctx,
          `${result.ref} already holds this content from the same code commit; nothing registered (use --allow-duplicate to force a new version)`,
        );
      }
      await emit(ctx, result, () => `${result.ref}\n`);
    });
}
