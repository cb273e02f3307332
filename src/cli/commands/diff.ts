import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit } from '../output.js';
import { table } from '../render/table.js';
import { fmtNum, signed } from '../render/numbers.js';
import { shortHash } from '../../core/util/text.js';
import type { DiffResult } from '../../core/registry/diff.js';

function render(d: DiffResult): string {
  const out: string[] = [`${d.a} → ${d.b}\n`];
  if (d.metrics.length) {
    out.push('\nMetrics:\n');
    out.push(
      table(
        ['METRIC', 'SLICE', d.a, d.b, 'DELTA', 'REL', 'SAME DATA'],
        d.metrics.map((m) => [
          m.name,
          m.slice ?? '(all)',
          fmtNum(m.a),
          fmtNum(m.b),
          signed(m.delta),
          m.relative === null ? '-' : `${m.relative >= 0 ? '+' : ''}${(m.relative * 100).toFixed(2)}%`,
          m.a !== null && m.b !== null ? (m.sameDataset ? 'yes' : 'NO') : '-',
        ]),
      ),
    );
  }
  out.push('\nConfig:\n');
  out.push(
    d.config.length
      ? table(
          ['KEY', d.a, d.b],
          d.config.map((c) => [c.key, JSON.stringify(c.a), JSON.stringify(c.b)]),
        )
      : '  no changes\n',
  );
  out.push('\nSchema:\n');
  out.push(
    d.schema.length
      ? table(
          ['SIDE', 'FIELD', 'CHANGE', 'DETAIL'],
          d.schema.map((s) => [s.side, s.name, s.change, s.detail]),
        )
      : '  no changes\n',
  );
  out.push('\nFiles:\n');
  const f = d.files;
  const lines = [
    ...f.added.map((p) => `  + ${p}`),
    ...f.removed.map((p) => `  - ${p}`),
    ...f.changed.map((p) => `  ~ ${p}`),
  ];
  out.push(lines.length ? `${lines.join('\n')}\n` : '');
  out.push(
    `  ${f.added.length} added, ${f.removed.length} removed, ${f.changed.length} changed, ${f.unchanged} unchanged\n`,
  );
  out.push(
    `\nData: ${d.data.same ? `same (${shortHash(d.data.a)})` : `${shortHash(d.data.a)} → ${shortHash(d.data.b)}`}\n`,
  );
  out.push(`Code: ${shortHash(d.code.a)} → ${shortHash(d.code.b)}\n`);
  return out.join('');
}

export function registerDiff(program: Command, deps: Deps): void {
  program
    .command('diff')
    .description('compare two versions: metric deltas, config, schema and file changes')
    .argument('<refA>')
    .argument('<refB>')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl diff fraud@champion fraud@latest\n  $ mlctl diff fraud@3 fraud@4 --json',
    )
    .action(async (a: string, b: string, _opts: unknown, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { diffVersions } = await import('../../core/registry/diff.js');
      const d = await diffVersions(await deps.registry(), a, b);
      await emit(ctx, d, () => render(d));
    });
}
