import type { Command } from 'commander';
import { Argument, Option } from 'commander';
import { relative } from 'node:path';
import type { Deps } from '../deps.js';
import { commandCtx, emit, emitVerdict } from '../output.js';
import { collect } from '../options.js';
import { table } from '../render/table.js';
import { adrContext } from '../contexts.js';

export function registerAdr(program: Command, deps: Deps): void {
  const adr = program
    .command('adr')
    .description('Architecture Decision Records (adr-tools compatible): new, link, list, show, generate, lint')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl adr new Use PostgreSQL for the feature store\n  $ mlctl adr new -s 3 Use DuckDB instead\n  $ mlctl adr new -l "2:Amends:Amended by" Tighten the AUC floor\n  $ mlctl adr generate graph | dot -Tsvg > adr.svg',
    );

  adr
    .command('new')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl adr new Use PostgreSQL for the feature store\n  $ mlctl adr new -s 3 Use DuckDB instead\n  $ mlctl adr new -l "2:Amends:Amended by" Tighten the AUC floor',
    )
    .description('create the next ADR and print its path')
    .argument('<title...>')
    .option(
      '-s, --supersede <ref>',
      'ADR this one supersedes (number or part of its file name); repeatable',
      collect,
      [],
    )
    .option('-l, --link <ref:link:reverse>', 'link to another ADR, e.g. "3:Amends:Amended by"; repeatable', collect, [])
    .addOption(new Option('--status <status>', 'initial status').choices(['proposed', 'accepted']).default('accepted'))
    .addOption(new Option('--template <name>', 'nygard (adr-tools) or madr (MADR 4)').choices(['nygard', 'madr']))
    .action(
      async (
        words: string[],
        opts: { supersede: string[]; link: string[]; status: 'proposed' | 'accepted'; template?: 'nygard' | 'madr' },
        cmd: Command,
      ) => {
        const ctx = commandCtx(deps, cmd);
        const a = await adrContext(deps);
        const { newAdr } = await import('../../core/adr/adr-ops.js');
        const r = await newAdr(a, {
          title: words.join(' '),
          supersedes: opts.supersede,
          links: opts.link,
          status: opts.status,
          template: opts.template ?? a.defaultTemplate,
        });
        await emit(ctx, r, () => `${relative(deps.cwd, r.path) || r.path}\n`);
      },
    );

  adr
    .command('link')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl adr link 5 Amends 2 "Amended by"\n  $ mlctl adr link 7 "Clarifies" 4 "Clarified by"',
    )
    .description('link two ADRs both ways')
    .argument('<source>')
    .argument('<link>', 'e.g. Amends')
    .argument('<target>')
    .argument('<reverse-link>', 'e.g. "Amended by"')
    .action(async (src: string, link: string, tgt: string, reverse: string, _o: unknown, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { linkAdrs } = await import('../../core/adr/adr-ops.js');
      const r = await linkAdrs(await adrContext(deps), src, link, tgt, reverse);
      await emit(ctx, r, () => `${r.source} ${r.link} ${r.target}\n`);
    });

  adr
    .command('list')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl adr list\n  $ mlctl adr list --status superseded\n  $ mlctl adr list --json',
    )
    .description('list ADRs with their status')
    .option(
      '--status <status>',
      'only ADRs whose status starts with this word (accepted, proposed, superseded, rejected…)',
    )
    .action(async (opts: { status?: string }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { listAdrs, primaryStatus } = await import('../../core/adr/adr-ops.js');
      const { dir } = await adrContext(deps);
      const want = opts.status?.toLowerCase();
      const all = listAdrs(dir)
        .map((a) => ({
          number: a.number,
          title: a.title,
          file: a.file,
          status: primaryStatus(a) || (a.status[0] ?? ''),
          links: a.status.filter((s) => /\]\(/.test(s)),
          date: a.date,
        }))
        .filter((a) => !want || a.status.toLowerCase().startsWith(want));
      await emit(ctx, { dir, adrs: all }, () =>
        all.length
          ? table(
              ['#', 'STATUS', 'DATE', 'TITLE'],
              all.map((a) => [a.number, a.status, a.date, a.title]),
            )
          : `no ADRs in ${dir}\n`,
      );
    });

  adr
    .command('show')
    .addHelpText('after', '\nExamples:\n  $ mlctl adr show 3\n  $ mlctl adr show duckdb')
    .description('print one ADR')
    .argument('<ref>', 'number or part of the file name')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { readAdr } = await import('../../core/adr/files.js');
      const a = readAdr((await adrContext(deps)).dir, ref);
      await emit(ctx, a, () => a.text);
    });

  adr
    .command('generate')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl adr generate toc > docs/adr/README.md\n  $ mlctl adr generate graph | dot -Tsvg > adr.svg',
    )
    .description('generate a table of contents (Markdown) or a graph (Graphviz dot)')
    .addArgument(new Argument('<what>', 'toc or graph').choices(['toc', 'graph']))
    .action(async (what: 'toc' | 'graph', _o: unknown, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { adrGraph, adrToc } = await import('../../core/adr/adr-ops.js');
      const { dir } = await adrContext(deps);
      const text = what === 'toc' ? adrToc(dir) : adrGraph(dir);
      await emit(ctx, { format: what === 'toc' ? 'markdown' : 'dot', text }, () => text);
    });

  adr
    .command('lint')
    .addHelpText('after', '\nExamples:\n  $ mlctl adr lint\n  $ mlctl adr lint --json')
    .description('check for duplicate numbers, missing status and links to missing files (exit 1 when any)')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { lintAdrs } = await import('../../core/adr/adr-ops.js');
      const { dir } = await adrContext(deps);
      const problems = lintAdrs(dir);
      await emitVerdict(
        ctx,
        { dir, problems },
        () => (problems.length ? problems.map((p) => `${p.file}: ${p.problem}\n`).join('') : `ok: ${dir}\n`),
        problems.length === 0,
        `${problems.length} problem(s) in ${dir}`,
      );
    });
}
