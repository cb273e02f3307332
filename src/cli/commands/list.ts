import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit } from '../output.js';
import { table } from '../render/table.js';
import { positiveInt } from '../options.js';
import { formatBytes, shortHash } from '../../core/util/text.js';

export function registerList(program: Command, deps: Deps): void {
  program
    .command('list')
    .alias('ls')
    .description("list models (latest version, champion, counts), or one model's versions, newest first")
    .argument('[model]', 'list the versions of this model')
    .option(
      '--status <status>',
      'only versions with this status (registered, validated, staging, production, archived)',
    )
    .option('--tag <key=value>', 'only versions with this tag')
    .option('--limit <n>', 'at most n versions', positiveInt('--limit'))
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl list\n  $ mlctl list fraud --status production\n  $ mlctl list fraud --tag team=risk --limit 5',
    )
    .action(
      async (model: string | undefined, opts: { status?: string; tag?: string; limit?: number }, cmd: Command) => {
        const ctx = commandCtx(deps, cmd);
        const { listRegistry } = await import('../../core/registry/list.js');
        const result = await listRegistry(await deps.registry(), {
          model,
          status: opts.status,
          tag: opts.tag,
          limit: opts.limit,
        });
        await emit(ctx, result, () => {
          if (result.kind === 'models') {
            if (result.models.length === 0) return 'no models yet; register one with: mlctl register <model> <path>\n';
            return table(
              ['MODEL', 'VERSIONS', 'LATEST', 'CHAMPION', 'STATUSES', 'CREATED'],
              result.models.map((m) => [
                m.name,
                m.versions,
                m.latest,
                m.champion,
                Object.entries(m.byStatus)
                  .map(([s, n]) => `${s}:${n}`)
                  .join(' '),
                m.createdAt.slice(0, 10),
              ]),
            );
          }
          if (result.versions.length === 0) return `no versions of ${result.model} match\n`;
          return table(
            ['VERSION', 'STATUS', 'ALIASES', 'FILES', 'SIZE', 'CODE', 'CREATED', 'BY'],
            result.versions.map((v) => [
              v.version,
              v.status,
              v.aliases.join(',') || '-',
              v.fileCount,
              formatBytes(v.totalSize),
              v.code.commit ? `${shortHash(v.code.commit)}${v.code.dirty ? '*' : ''}` : '-',
              v.createdAt.replace('T', ' ').slice(0, 16),
              v.createdBy,
            ]),
          );
        });
      },
    );
}
