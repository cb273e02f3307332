import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit, note } from '../output.js';
import { rolloutContext } from '../contexts.js';
import { confirmOrDemand } from '../confirm.js';
import { renderPromotion, renderStepOutcome, stepWhere } from '../render/step.js';
import { renderPullRequestOutcome, renderSettled } from '../render/pull-request.js';
import { decimal, type StepOptions } from '../options.js';

interface PromoteOptions extends StepOptions {
  reason?: string;
  force?: boolean;
  yes?: boolean;
  assumeQpsPerReplica?: number;
}

/** The flags of every step that changes what serves (promote, rollback). */
export const stepOptions = (c: Command): Command =>
  c
    .option('--no-commit', 'write the serving files but do not commit them')
    .option('--push', 'push the commit to the configured remote (git.remote, default origin)')
    .option('--pr', 'open a pull request for the step instead of committing to the branch (overrides git.mode)')
    .option('--allow-dirty', 'edit serving files that have uncommitted changes')
    .option('--no-adr', 'do not record an ADR for this decision');

export function registerPromote(program: Command, deps: Deps): void {
  stepOptions(
    program
      .command('promote')
      .description(
        'move a gated candidate towards production: start its rollout, advance one stage, or (without a serving target) make it champion directly',
      )
      .argument('<ref>', 'the candidate, e.g. fraud@4')
      .option('--reason <text>', 'why (recorded in the audit log and the ADR)')
      .option('--force', 'skip a missing gate run, bake time or checks (needs --reason; recorded as an override)')
      .option('-y, --yes', 'do not ask before a change to full traffic (required without a terminal or in CI)')
      .option(
        '--assume-qps-per-replica <n>',
        'size a candidate registered without its throughput metric (serving.<model>.capacity; recorded)',
        decimal('--assume-qps-per-replica'),
      ),
  )
    .addHelpText(
      'after',
      `
With serving.<model> in mlctl.yaml the first call starts a rollout at the plan's first stage
(shadow → canary → ramp → full by default); each later call advances one stage once the stage's
minDuration has passed and its checks pass. Every stage is one git commit of the serving files
and the decision's ADR. The first version of a model becomes champion directly. With
serving.<model>.capacity each stage writes replica counts (sized when the rollout starts). On
tfserving a stage that loads a version writes its labels in a second commit: the next promote
(or rollout tick) once the version is loaded.

Examples:
  $ mlctl gate fraud@4 && mlctl promote fraud@4 --reason "better recall on EU traffic"
  $ mlctl promote fraud@4                      # next stage, when allowed
  $ mlctl promote fraud@4 --yes --push         # to full, in CI
  $ mlctl promote fraud@4 --force --reason "hotfix for incident INC-231" --yes
  $ mlctl promote fraud@4 --pr                 # a pull request per stage (protected branch); again once merged

With git.mode: pull-request in mlctl.yaml (or --pr) each step is a branch mlctl/<model>/<rollout>-<stage>
and a pull request carrying the evidence; it takes effect when merged, and its bake time starts then.
While it is open, promote says which pull request waits for review.`,
    )
    .action(async (ref: string, opts: PromoteOptions, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const rctx = await rolloutContext(deps, opts, ctx.warnings);
      const { planPromote, applyPromote } = await import('../../core/promote/promote.js');
      const plan = await planPromote(rctx, {
        ref,
        force: opts.force,
        reason: opts.reason,
        assumeQpsPerReplica: opts.assumeQpsPerReplica,
      });
      await confirmOrDemand(deps, plan.confirm, !!opts.yes);
      const r = await applyPromote(rctx, plan);
      ctx.warnings.push(...r.warnings);
      for (const n of r.notes) note(ctx, n);
      if (r.kind === 'pull-request') return await emit(ctx, r.outcome, () => renderPullRequestOutcome(r.outcome));
      if (r.kind === 'settled') return await emit(ctx, r.outcome, () => renderSettled(r.outcome));
      const where = stepWhere(ctx, r.outcome, !opts.commit);
      await emit(ctx, r.outcome, () =>
        r.kind === 'direct' ? renderPromotion(r.outcome, where) : renderStepOutcome(r.outcome, where),
      );
    });
}
