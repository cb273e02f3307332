import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit, note, type CommandCtx } from '../output.js';
import { UsageError } from '../../core/errors.js';
import { confirmOrYes, promoteContext, withPolicy } from './promote-context.js';
import type { StepOutcome } from '../../core/rollout/engine.js';

const short = (sha: string | null) => (sha ? sha.slice(0, 10) : null);

/** Where the step landed: the commit, pushed or not, and anything that could not be committed. */
export function reportStep(
  ctx: CommandCtx,
  o: { commit: string | null; pushed: boolean; files: string[]; outside: string[] },
  noCommit: boolean,
): string {
  if (o.outside.length) ctx.warnings.push(`not committed (outside the git repository): ${o.outside.join(', ')}`);
  if (o.commit) return ` — commit ${short(o.commit)}${o.pushed ? ' (pushed)' : ''}`;
  if (noCommit && o.files.length) return ` — files written, not committed (--no-commit): ${o.files.join(', ')}`;
  return '';
}

function renderOutcome(o: StepOutcome, where: string): string {
  if (o.action === 'start')
    return `${o.candidate}: rollout ${o.rollout} started at ${o.stage}${where}\nnext: mlctl promote ${o.candidate} (when the stage's bake time and checks allow), mlctl rollout status ${o.model}\n`;
  if (o.action === 'advance') return `${o.candidate}: now at ${o.stage}${where}\n`;
  if (o.action === 'complete') return `${o.candidate} is now the champion (rollout ${o.rollout} completed)${where}\n`;
  return `${o.candidate}: rollout ${o.rollout} aborted at ${o.stage}; all traffic back to ${o.champion}${where}\n`;
}

const stepOptions = (c: Command) =>
  c
    .option('--no-commit', 'write the serving files but do not commit them')
    .option('--push', 'push the commit to the configured remote (git.remote, default origin)')
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
      .option('-y, --yes', 'do not ask before a change to full traffic (required without a terminal or in CI)'),
  )
    .addHelpText(
      'after',
      `
With serving.<model> in mlctl.yaml the first call starts a rollout at the plan's first stage
(shadow → canary → ramp → full by default); each later call advances one stage once the stage's
minDuration has passed and its checks pass. Every stage is one git commit of the serving files
and the decision's ADR. The first version of a model becomes champion directly.

Examples:
  $ mlctl gate fraud@4 && mlctl promote fraud@4 --reason "better recall on EU traffic"
  $ mlctl promote fraud@4                      # next stage, when allowed
  $ mlctl promote fraud@4 --yes --push         # to full, in CI
  $ mlctl promote fraud@4 --force --reason "hotfix for incident INC-231" --yes`,
    )
    .action(async (ref: string, opts, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      if (opts.force && !opts.reason?.trim())
        throw new UsageError('--force needs --reason: an override is recorded with why it was made');
      const pctx = await promoteContext(deps, opts);
      const { resolveRef } = await import('../../core/registry/resolve.js');
      const cand = await resolveRef(pctx.registry, ref);
      const engine = await import('../../core/rollout/engine.js');
      const open = await engine.openRolloutOf(pctx, cand.model);
      const noCommit = opts.commit === false;
      if (open) {
        if (open.candidateId !== cand.id) {
          const other = (await pctx.registry.getVersionById(open.candidateId))!;
          throw new UsageError(
            `${cand.model} has a rollout of ${other.model}@${other.version} in progress; advance it with mlctl promote ${other.model}@${other.version}, or abort it with mlctl rollback ${cand.model}`,
          );
        }
        if (open.state === 'paused')
          throw new UsageError(`the rollout of ${cand.model} is paused; run mlctl rollout resume ${cand.model} first`);
        const p = await engine.planAdvance(pctx, open);
        const checks = await engine.evaluateStage(pctx, open);
        const why = engine.blocker(p, checks);
        if (why && !opts.force) throw why;
        if (p.toFull)
          await confirmOrYes(
            deps,
            !!opts.yes,
            `Send all traffic to ${cand.model}@${cand.version} and make it the champion${p.champion ? ` (replacing ${p.champion.model}@${p.champion.version})` : ''}?`,
            `moving ${cand.model}@${cand.version} to full`,
          );
        const o = await engine.applyAdvance(pctx, p, { forced: !!why, reason: opts.reason ?? null, checks });
        if (o.forced) ctx.warnings.push(`advanced with --force (override recorded): ${why!.message}`);
        const where = reportStep(ctx, o, noCommit);
        await emit(ctx, o, () => renderOutcome(o, where));
        return;
      }
      const { planPromotion, applyPromotion } = await import('../../core/promote/direct.js');
      const plan = await planPromotion(await withPolicy(deps, pctx), { ref, force: !!opts.force, reason: opts.reason });
      const target = `${plan.candidate.model}@${plan.candidate.version}`;
      const served = pctx.rollout.serving[plan.candidate.model];
      if (served && plan.champion) {
        const stages = pctx.rollout.plans[served.plan]!;
        if (stages[0]!.stage === 'full')
          await confirmOrYes(
            deps,
            !!opts.yes,
            `Send all traffic to ${target} and make it the champion?`,
            `moving ${target} to full`,
          );
        const o = await engine.startRollout(pctx, plan);
        if (o.forced)
          ctx.warnings.push(`rollout started without a passing gate run (override recorded): ${opts.reason}`);
        if (o.adr) note(ctx, `recorded ADR ${o.adr}`);
        const where = reportStep(ctx, o, noCommit);
        await emit(ctx, o, () => renderOutcome(o, where));
        return;
      }
      await confirmOrYes(
        deps,
        !!opts.yes,
        `Make ${target} the production champion${plan.champion ? ` (replacing ${plan.champion.model}@${plan.champion.version})` : ''}?`,
        `promoting ${target}`,
      );
      const r = await applyPromotion(pctx, plan);
      if (r.forced) ctx.warnings.push(`promoted without a passing gate run (override recorded): ${opts.reason}`);
      if (r.adr) note(ctx, `recorded ADR ${r.adr}`);
      const where = reportStep(ctx, r, noCommit);
      await emit(
        ctx,
        r,
        () => `${r.champion} is now the champion${r.previous ? ` (was ${r.previous}, now archived)` : ''}${where}\n`,
      );
    });

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
      '\nA rollback is a new commit of the serving files, never a history rewrite.\n\nExamples:\n  $ mlctl rollback fraud --reason "p99 latency regression" --yes\n  $ mlctl rollback fraud --to fraud@2 --yes --push',
    )
    .action(async (model: string, opts, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const pctx = await promoteContext(deps, opts);
      const engine = await import('../../core/rollout/engine.js');
      const noCommit = opts.commit === false;
      const open = await engine.openRolloutOf(pctx, model);
      if (open) {
        if (opts.to)
          throw new UsageError(
            `${model} has a rollout in progress; run mlctl rollback ${model} (without --to) to abort it first`,
          );
        const cand = (await pctx.registry.getVersionById(open.candidateId))!;
        await confirmOrYes(
          deps,
          !!opts.yes,
          `Abort the rollout of ${model}@${cand.version} and send all traffic back to the champion?`,
          `aborting the rollout of ${model}`,
        );
        const o = await engine.abortRollout(pctx, open, { reason: opts.reason ?? null, failing: [], by: 'rollback' });
        const where = reportStep(ctx, o, noCommit);
        await emit(ctx, o, () => renderOutcome(o, where));
        return;
      }
      const { planRollback, applyRollback } = await import('../../core/promote/direct.js');
      const plan = await planRollback(pctx, { model, to: opts.to, reason: opts.reason });
      await confirmOrYes(
        deps,
        !!opts.yes,
        `Roll ${model} back from ${model}@${plan.current.version} to ${model}@${plan.target.version}?`,
        `rolling back ${model}`,
      );
      const r = await applyRollback(pctx, plan);
      if (r.adr) note(ctx, `recorded ADR ${r.adr}`);
      const where = reportStep(ctx, r, noCommit);
      await emit(ctx, r, () => `${r.champion} is the champion again (${r.previous} archived)${where}\n`);
    });
}
