import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit } from '../output.js';
import { UsageError } from '../../core/errors.js';

const kb = (n: number) => (n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(2)} MiB`);

export function registerReport(program: Command, deps: Deps): void {
  program
    .command('report')
    .description('a self-contained HTML report of a model, a version, a gate run or a rollout')
    .argument('<target>', 'fraud (model), fraud@3 or fraud@champion (version), gate-run:<id>, rollout:<id>')
    .option('--html <file>', 'write the page to this file (atomically); - writes it to stdout')
    .addHelpText(
      'after',
      `
Targets:
  fraud              the model: versions, metrics across versions, champion history, rollouts, gate runs
  fraud@3            a version (aliases too: fraud@champion): files, schema, metrics vs the champion,
                     lineage graph, gate runs, rollouts
  gate-run:12        a gate run: every check, ROC and precision-recall curves of both models
  rollout:4          a rollout: stages on a time line with their commits, every check result

The file has no external scripts, fonts or images and reads without JavaScript.

Examples:
  $ mlctl report fraud --html fraud.html
  $ mlctl report fraud@champion --html champion.html
  $ mlctl report gate-run:12 --html gate-12.html
  $ mlctl report rollout:4 --html - > rollout.html
  $ mlctl report fraud --json                       # the report's data instead of a page`,
    )
    .action(async (targetText: string, opts: { html?: string }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      if (!opts.html && !ctx.json)
        throw new UsageError(
          'say where to write the report: --html <file> (or --html - for stdout, --json for its data)',
        );
      if (opts.html === '-' && ctx.json) throw new UsageError('--html - and --json both write to stdout; choose one');
      if (opts.html) (await import('../render/html/write.js')).checkHtmlTarget(deps, opts.html);
      const { parseReportTarget } = await import('../../core/views/target.js');
      const target = parseReportTarget(targetText);
      const { buildReportView } = await import('../../core/views/index.js');
      const view = await buildReportView(await deps.registry(), target, deps.clock.now());
      if (!opts.html) return emit(ctx, view, () => '');
      const { renderView, staticLinks } = await import('../render/html/render.js');
      const { writeHtmlFile } = await import('../render/html/write.js');
      const written = await writeHtmlFile(deps, opts.html, renderView(view, staticLinks));
      if (written.file === '-') return;
      await emit(
        ctx,
        { ...written, target: targetText, kind: view.kind },
        () => `wrote ${written.file} (${kb(written.bytes)}): ${targetText}\n`,
      );
    });
}
