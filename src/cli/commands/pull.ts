import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit, note } from '../output.js';
import { formatBytes } from '../../core/util/text.js';

export function registerPull(program: Command, deps: Deps): void {
  program
    .command('pull')
    .description("download a version's files, verifying each sha256 while streaming")
    .argument('<ref>', 'fraud@3, fraud@champion, …')
    .option(
      '--to <dir>',
      'target folder (default: ./<model>-<version>); must be missing or hold only the version files',
    )
    .option('--force', "pull into a folder holding other files: replace only the version's files, leave the rest")
    .option('--no-hash-cache', 'hash files already in the target folder instead of reusing digests of unchanged files')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl pull fraud@champion --to serving/model\n  $ mlctl pull fraud@3\n  $ mlctl pull fraud@4 --to serving/model --force',
    )
    .action(async (ref: string, opts: { to?: string; force?: boolean; hashCache?: boolean }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { pullVersion } = await import('../../core/artifacts/pull.js');
      const hashCache = opts.hashCache === false ? undefined : await deps.hashCache();
      if (hashCache?.problem) ctx.warnings.push(hashCache.problem);
      const r = await pullVersion(
        {
          registry: await deps.registry(),
          store: await deps.artifacts(),
          cwd: deps.cwd,
          progress: await deps.progress(ctx.quiet || ctx.json),
          hashCache,
        },
        ref,
        opts.to,
        { force: !!opts.force },
      );
      const fresh = r.files.filter((f) => f.action === 'downloaded').length;
      note(
        ctx,
        `pulled ${r.ref}: ${fresh} file(s) downloaded (${formatBytes(r.bytesDownloaded)}), ${r.files.length - fresh} already up to date, all verified`,
      );
      await emit(ctx, r, () => `${r.to}\n`);
    });
}
