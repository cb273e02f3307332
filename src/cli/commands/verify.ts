import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emitVerdict } from '../output.js';
import { formatBytes } from '../../core/util/text.js';

export function registerVerify(program: Command, deps: Deps): void {
  program
    .command('verify')
    .description('re-hash stored blobs; exit 1 naming each missing or corrupt file')
    .argument('[ref...]', 'versions to verify')
    .option('--all', 'verify every version of every model')
    .addHelpText('after', '\nExamples:\n  $ mlctl verify fraud@champion\n  $ mlctl verify --all --json')
    .action(async (refs: string[], opts: { all?: boolean }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { verifyVersions } = await import('../../core/artifacts/verify.js');
      const r = await verifyVersions(
        {
          registry: await deps.registry(),
          store: await deps.artifacts(),
          progress: await deps.progress(ctx.quiet || ctx.json),
        },
        { refs, all: !!opts.all },
      );
      if (r.partialUploads?.count)
        ctx.warnings.push(
          `${r.partialUploads.count} partial upload(s)${r.partialUploads.bytes ? ` (${formatBytes(r.partialUploads.bytes)})` : ''} left by interrupted uploads; mlctl gc removes them once older than its grace period`,
        );
      const human = () =>
        r.ok
          ? `ok: ${r.versions.length} version(s), ${r.blobsChecked} blob(s), ${formatBytes(r.bytesChecked)} verified\n`
          : r.problems.map((p) => `${p.ref}: ${p.path}: ${p.problem}: ${p.detail}\n`).join('');
      await emitVerdict(
        ctx,
        r,
        human,
        r.ok,
        `${r.problems.length} problem(s) found in the artifact store; re-register the affected versions from their original files`,
      );
    });
}
