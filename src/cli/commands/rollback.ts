import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit, note } from '../output.js';
import { rolloutContext } from '../contexts.js';
import { confirmOrDemand } from '../confirm.js';
import { renderRollback, renderStepOutcome, stepWhere } from '../render/step.js';
import { renderPullRequestOutcome, renderSettled } from '../render/pull-request.js';
import { stepOptions } from './promote.js';
import type { StepOptions } from '../options.js';

interface RollbackOptions extends StepOptions {
  to?: string;
  reason?: string;
  yes?: boolean;
}

export function registerRollback(program: Command, deps: Deps): void {
  stepOptions(
    program
      .command('rollback')
      .description(
        'abort a rollout in progress, or make the previous champion (from the audit log) or --to the champion again',
      )
      .argument('<model>')
      .option('--to <ref>', 'the version to return to (default: the previous champion)')
      .option('--reason <text>', 'why (recorded in the audit log and the ADR)')
      .option('-y, --yes', 'do not ask for confirmation (required without a terminal or in CI)'),
  )
    .addHelpText(
      'after',
      '\nA rollback is a new commit of the serving files, never a history rewrite. With rollback.mode:\npull-request (or --pr) it is an urgent pull request instead, in effect once merged; a step of the\nrollout waiting for its pull request is superseded (that pull request is closed).\n\nExamples:\n  $ mlctl rollback fraud --reason "p99 latency regression" --yes\n  $ mlctl rollback fraud --to fraud@2 --yes --push\n  $ mlctl rollback fraud --pr --reason "error rate" --yes    # urgent pull request',
    )
    .action(async (model: string, opts: RollbackOptions, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const rctx = await rolloutContext(deps, { ...opts, prRollback: opts.pr }, ctx.warnings);
      const { planRollback, applyRollback } = await import('../../core/promote/rollback.js');
      const plan = await planRollback(rctx, { model, to: opts.to, reason: opts.reason });
      await confirmOrDemand(deps, plan.confirm, !!opts.yes);
      const r = await applyRollback(rctx, plan);
      for (const n of r.notes) note(ctx, n);
      if (r.kind === 'pull-request') ctx.warnings.push(...r.outcome.warnings);
      if (r.kind === 'pull-request') return await emit(ctx, r.outcome, () => renderPullRequestOutcome(r.outcome));
      if (r.kind === 'waiting') return await emit(ctx, r.outcome, () => renderSettled([r.outcome]));
      const where = stepWhere(ctx, r.outcome, !opts.commit);
      await emit(ctx, r.outcome, () =>
        r.kind === 'abort' ? renderStepOutcome(r.outcome, where) : renderRollback(r.outcome, where),
      );
    });
}
