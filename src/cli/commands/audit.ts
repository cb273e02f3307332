import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { Deps } from '../deps.js';
import { commandCtx, emit, emitVerdict } from '../output.js';
import { positiveInt } from '../options.js';
import { shortHash } from '../../core/util/text.js';
import { table } from '../render/table.js';
import type { EventRecord } from '../../ports/registry.js';
import type { AuditQuery } from '../../core/audit/query.js';

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
    .action(async (opts: AuditQuery & { csv?: boolean }, cmd: Command) => {
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
      "check the registry database (SQLite's quick_check), recompute the hash chain and check it still holds every head recorded outside the database (stored manifests, Mlctl-Audit-Head commit trailers); exit 1 naming the first problem",
    )
    .option(
      '--full',
      "SQLite's integrity_check instead of quick_check (also compares every index with its table; slower)",
    )
    .option(
      '--git <dir>',
      'GitOps repository whose Mlctl-Audit-Head trailers to check (default: the project folder when it is a git repository)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl audit verify\n  $ mlctl audit verify --full --json\n  $ mlctl audit verify --git ../gitops',
    )
    .action(async (opts: { full?: boolean; git?: string }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { verifyAuditLog, anchorRepository } = await import('../../core/audit/audit-verify.js');
      const cfg = await deps.config();
      const gitDir = anchorRepository(cfg.root, opts.git === undefined ? undefined : resolve(deps.cwd, opts.git));
      const r = await verifyAuditLog({
        open: () => deps.registry(),
        location: cfg.registry,
        full: !!opts.full,
        store: () => deps.artifacts(),
        gitTrailers: gitDir ? async () => (await deps.gitops(gitDir)).trailerValues('Mlctl-Audit-Head') : undefined,
      });
      for (const u of r.anchors?.unread ?? [])
        ctx.warnings.push(`could not read the audit heads recorded in ${u}; not checked`);
      const a = r.anchors;
      const covered = !a
        ? ''
        : a.newest
          ? `, ${a.checked} recorded head(s) present (newest: event ${a.newest.seq} in ${a.newest.source})`
          : ', no recorded heads yet';
      const problems = (a?.problems ?? []).map((p) => `${p.reason}\n`).join('');
      await emitVerdict(
        ctx,
        r,
        () =>
          r.ok
            ? `ok: ${r.events} event(s), chain intact${r.head ? `, head ${shortHash(r.head)}…` : ''}${covered}\n`
            : r.broken
              ? `broken at event ${r.broken.seq}: ${r.broken.reason}\n`
              : problems || `${r.failure}\n`,
        r.ok,
        r.failure,
      );
    });

  audit
    .command('champion')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl audit champion fraud\n  $ mlctl audit champion fraud --at 2026-10-01T12:00:00Z --json',
    )
    .description('which version was champion at a moment, and every change of champion')
    .argument('<model>')
    .option('--at <time>', 'the moment (default: now)')
    .action(async (model: string, opts: { at?: string }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { championAt } = await import('../../core/audit/champion.js');
      const r = await championAt(await deps.registry(), model, opts.at, deps.clock.now());
      ctx.warnings.push(...r.warnings);
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
