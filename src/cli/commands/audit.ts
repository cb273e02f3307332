import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit, emitVerdict } from '../output.js';
import { positiveInt } from './shared.js';
import { table } from '../render/table.js';
import type { EventRecord } from '../../ports/registry.js';

const csvCell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function toCsv(events: EventRecord[]): string {
  const head = 'seq,at,actor,action,model,subject,payload,hash';
  const rows = events.map((e) =>
    [String(e.seq), e.at, e.actor, e.action, e.model ?? '', e.subject ?? '', JSON.stringify(e.payload), e.hash]
      .map(csvCell)
      .join(','),
  );
  return `${[head, ...rows].join('\n')}\n`;
}

export function registerAudit(program: Command, deps: Deps): void {
  const audit = program
    .command('audit')
    .description('query the append-only, hash-chained audit log; verify it; who was champion when')
    .option('--model <model>', 'events of one model')
    .option('--ref <ref>', 'events about one version (aliases resolve to the version they name now)')
    .option('--action <action>', 'one kind of event, e.g. register, gate.run, champion.set')
    .option('--actor <actor>', 'events by one actor')
    .option('--since <time>', 'from this time: ISO date/time, or a duration ago such as 7d')
    .option('--until <time>', 'before this time')
    .option('--limit <n>', 'at most n events (newest first)', positiveInt('--limit'))
    .option('--csv', 'print CSV')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl audit --model fraud --since 30d\n  $ mlctl audit --action champion.set --csv > champion-changes.csv\n  $ mlctl audit verify\n  $ mlctl audit champion fraud --at 2026-10-01T12:00:00Z',
    )
    .action(async (opts, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { queryAudit } = await import('../../core/audit/query.js');
      const events = await queryAudit(await deps.registry(), opts, deps.clock.now());
      if (opts.csv && !ctx.json) return void deps.io.out.write(toCsv(events));
      await emit(ctx, { events }, () =>
        events.length
          ? table(
              ['SEQ', 'AT', 'ACTOR', 'ACTION', 'SUBJECT', 'DETAIL'],
              events.map((e) => [
                e.seq,
                e.at.replace('T', ' ').slice(0, 19),
                e.actor,
                e.action,
                e.subject ?? e.model ?? '-',
                JSON.stringify(e.payload).slice(0, 80),
              ]),
            )
          : 'no events match\n',
      );
    });

  audit
    .command('verify')
    .description(
      'recompute the hash chain and check it still holds every head recorded outside the database (stored manifests, Mlctl-Audit-Head commit trailers); exit 1 naming the first problem',
    )
    .option(
      '--git <dir>',
      'GitOps repository whose Mlctl-Audit-Head trailers to check (default: the project folder when it is a git repository)',
    )
    .addHelpText('after', '\nExamples:\n  $ mlctl audit verify\n  $ mlctl audit verify --git ../gitops --json')
    .action(async (o: { git?: string }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { verifyAudit } = await import('../../core/audit/verify-anchored.js');
      const { existsSync } = await import('node:fs');
      const { join, resolve } = await import('node:path');
      const root = (await deps.config()).root;
      const gitDir = o.git !== undefined ? resolve(deps.cwd, o.git) : existsSync(join(root, '.git')) ? root : null;
      const r = await verifyAudit({
        registry: await deps.registry(),
        store: () => deps.artifacts(),
        gitTrailers: gitDir
          ? async () => (await import('../../adapters/git/trailers.js')).trailerValues(gitDir, 'Mlctl-Audit-Head')
          : undefined,
      });
      for (const u of r.anchors.unread)
        ctx.warnings.push(`could not read the audit heads recorded in ${u}; not checked`);
      const a = r.anchors;
      const covered = a.newest
        ? `, ${a.checked} recorded head(s) present (newest: event ${a.newest.seq} in ${a.newest.source})`
        : ', no recorded heads yet';
      const problems = a.problems.map((p) => `${p.reason}\n`).join('');
      await emitVerdict(
        ctx,
        r,
        () =>
          r.ok
            ? `ok: ${r.events} event(s), chain intact${r.head ? `, head ${r.head.slice(0, 16)}…` : ''}${covered}\n`
            : `${r.broken ? `broken at event ${r.broken.seq}: ${r.broken.reason}\n` : ''}${problems}`,
        r.ok,
        r.broken
          ? `the audit log was tampered with at event ${r.broken.seq}: ${r.broken.reason}`
          : `the audit log no longer holds what was recorded outside it: ${a.problems[0]?.reason ?? ''}`,
      );
    });

  audit
    .command('champion')
    .description('which version was champion at a moment, and every change of champion')
    .argument('<model>')
    .option('--at <time>', 'the moment (default: now)')
    .action(async (model: string, opts, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { championAt } = await import('../../core/audit/champion.js');
      const r = await championAt(await deps.registry(), model, opts.at, deps.clock.now());
      await emit(ctx, r, () => {
        const head =
          r.version === null
            ? `${model} had no champion at ${r.at}\n`
            : `${model}@${r.version} was champion at ${r.at} (since ${r.since!.at}, by ${r.since!.actor}${r.since!.reason ? `: ${r.since!.reason}` : ''})\n`;
        if (!r.timeline.length) return head;
        return `${head}\n${table(
          ['AT', 'CHAMPION', 'PREVIOUS', 'VIA', 'BY', 'REASON', 'ADR'],
          r.timeline.map((c) => [
            c.at.replace('T', ' ').slice(0, 19),
            c.version,
            c.previous,
            c.via,
            c.actor,
            c.reason,
            c.adr,
          ]),
        )}`;
      });
    });
}

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
    .action(async (ref: string | undefined, opts, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { UsageError } = await import('../../core/errors.js');
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
    });
}
