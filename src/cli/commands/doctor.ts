import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emitVerdict } from '../output.js';
import { table } from '../render/table.js';
import { adrContext } from '../contexts.js';

const MARK = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: '-' } as const;

export function registerDoctor(program: Command, deps: Deps): void {
  program
    .command('doctor')
    .description(
      'check the set-up: config, gate policy, registry, artifact store (write/read/delete probe), serving files in git, ADR folder, and GitHub Actions pitfalls',
    )
    .addHelpText(
      'after',
      '\nExit status 1 when a check fails (warnings do not fail).\n\nExamples:\n  $ mlctl doctor\n  $ mlctl doctor --full --json',
    )
    .option('--full', "check the registry with SQLite's integrity_check (slower) instead of quick_check")
    .action(async (opts: { full?: boolean }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { runDoctor } = await import('../../core/doctor/doctor.js');
      const report = await runDoctor({
        ...deps,
        registry: () => deps.registry(),
        adr: () => adrContext(deps),
        full: !!opts.full,
      });
      const failed = report.checks.filter((c) => c.status === 'fail');
      await emitVerdict(
        ctx,
        report,
        () =>
          table(
            ['CHECK', 'STATUS', 'DETAIL', 'FIX'],
            report.checks.map((c) => [c.check, MARK[c.status], c.detail, c.fix]),
          ),
        report.ok,
        `${failed.length} check(s) failed: ${failed.map((c) => c.check).join(', ')}`,
      );
    });
}
