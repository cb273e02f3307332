import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit } from '../output.js';
import { table } from '../render/table.js';
import { UsageError } from '../../core/errors.js';

export function registerLineage(program: Command, deps: Deps): void {
  program
    .command('lineage')
    .description(
      'upstream (data, code, config, parents) and downstream (children, gate runs, champion changes, ADRs) of a version; or every version trained on a dataset',
    )
    .argument('[ref]', 'fraud@3, fraud@champion, …')
    .option('--data <sha256:hex>', 'every version trained on this dataset, and whether it serves now')
    .option('--depth <n>', 'levels up and down', (v) => Number(v), 3)
    .option('--mermaid', 'print a Mermaid graph (renders in GitHub Markdown)')
    .option('--dot', 'print a Graphviz graph')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl lineage fraud@champion\n  $ mlctl lineage fraud@4 --mermaid >> docs/model-card.md\n  $ mlctl lineage --data sha256:9f86d08…   # data-deletion request: who used it, what serves',
    )
    .action(
      async (
        ref: string | undefined,
        opts: { data?: string; depth: number; mermaid?: boolean; dot?: boolean },
        cmd: Command,
      ) => {
        const ctx = commandCtx(deps, cmd);
        const { lineageOf, versionsTrainedOn } = await import('../../core/audit/lineage.js');
        if (opts.data) {
          if (ref) throw new UsageError('give a ref or --data, not both');
          const r = await versionsTrainedOn(await deps.registry(), opts.data);
          return emit(ctx, r, () =>
            r.versions.length
              ? `${r.data}: ${r.versions.length} version(s) trained on it, ${r.versions.filter((v) => v.serving).length} serving now\n${table(
                  ['VERSION', 'STATUS', 'ALIASES', 'SERVING', 'CREATED'],
                  r.versions.map((v) => [
                    v.ref,
                    v.status,
                    v.aliases.join(',') || '-',
                    v.serving ? 'YES' : 'no',
                    v.createdAt.slice(0, 10),
                  ]),
                )}`
              : `no version was trained on ${r.data}\n`,
          );
        }
        if (!ref) throw new UsageError('name a version (e.g. mlctl lineage fraud@3) or pass --data sha256:…');
        const n = await lineageOf(await deps.registry(), ref, opts.depth);
        const r = await import('../render/lineage.js');
        await emit(ctx, n, () =>
          opts.mermaid ? r.renderLineageMermaid(n) : opts.dot ? r.renderLineageDot(n) : r.renderLineageTree(n),
        );
      },
    );
}
