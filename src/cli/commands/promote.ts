import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit, note } from '../output.js';
import { canPrompt } from '../io.js';
import { UsageError } from '../../core/errors.js';
import { adrContext } from './adr.js';

async function promoteContext(deps: Deps, noAdr: boolean) {
  const cfg = await deps.config();
  const { readGatesConfig, loadCurrentPolicy } = await import('../../core/gates/gates-config.js');
  const settings = readGatesConfig(cfg.raw.gates, cfg.file ?? 'mlctl.yaml');
  return {
    cfg,
    ctx: {
      registry: await deps.registry(),
      clock: deps.clock,
      actor: await deps.actor(),
      adr: noAdr ? null : await adrContext(deps),
      policy: loadCurrentPolicy(cfg.root, settings),
    },
  };
}

async function confirmOrYes(deps: Deps, yes: boolean, question: string, flagHint: string): Promise<void> {
  if (yes) return;
  if (!canPrompt(deps.io, deps.env)) throw new UsageError(`${flagHint} changes production and needs confirmation: pass --yes (no terminal to ask on${deps.env.CI ? ', CI is set' : ''})`);
  const ok = await (await deps.prompter()).confirm(question, false);
  if (!ok) throw new UsageError('not confirmed; nothing changed');
}

export function registerPromote(program: Command, deps: Deps): void {
  program
    .command('promote')
    .description('make a gated candidate the production champion (models without a serving target, or the first version of a model)')
    .argument('<ref>', 'the candidate, e.g. fraud@4')
    .option('--reason <text>', 'why (recorded in the audit log and the ADR)')
    .option('--force', 'promote without a matching passing gate run (needs --reason; recorded as an override)')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal or in CI)')
    .option('--no-adr', 'do not record an ADR for this decision')
    .addHelpText('after', '\nExamples:\n  $ mlctl gate fraud@4 && mlctl promote fraud@4 --reason "better recall on EU traffic" --yes\n  $ mlctl promote fraud@4 --force --reason "hotfix for incident INC-231" --yes')
    .action(async (ref: string, opts, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { cfg, ctx: pctx } = await promoteContext(deps, opts.adr === false);
      const { planPromotion, applyPromotion } = await import('../../core/promote/direct.js');
      const plan = planPromotion(pctx, { ref, force: !!opts.force, reason: opts.reason });
      const serving = (cfg.raw.serving ?? {}) as Record<string, unknown>;
      if (serving[plan.candidate.model] !== undefined) {
        throw new UsageError(`${plan.candidate.model} has a serving target in mlctl.yaml; staged rollouts (shadow → canary → full) are not available in this build yet — remove serving.${plan.candidate.model} to promote directly`);
      }
      const target = `${plan.candidate.model}@${plan.candidate.version}`;
      await confirmOrYes(deps, !!opts.yes, `Make ${target} the production champion${plan.champion ? ` (replacing ${plan.champion.model}@${plan.champion.version})` : ''}?`, `promoting ${target}`);
      const r = await applyPromotion(pctx, plan);
      if (r.forced) ctx.warnings.push(`promoted without a passing gate run (override recorded): ${opts.reason}`);
      if (r.adr) note(ctx, `recorded ADR ${r.adr}`);
      emit(ctx, r, () => `${r.champion} is now the champion${r.previous ? ` (was ${r.previous}, now archived)` : ''}\n`);
    });

  program
    .command('rollback')
    .description('make the previous champion (from the audit log) or --to the champion again')
    .argument('<model>')
    .option('--to <ref>', 'the version to return to (default: the previous champion)')
    .option('--reason <text>', 'why (recorded in the audit log and the ADR)')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal or in CI)')
    .option('--no-adr', 'do not record an ADR for this decision')
    .addHelpText('after', '\nExamples:\n  $ mlctl rollback fraud --reason "p99 latency regression" --yes\n  $ mlctl rollback fraud --to fraud@2 --yes')
    .action(async (model: string, opts, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { ctx: pctx } = await promoteContext(deps, opts.adr === false);
      const { planRollback, applyRollback } = await import('../../core/promote/direct.js');
      const plan = planRollback(pctx, { model, to: opts.to, reason: opts.reason });
      await confirmOrYes(deps, !!opts.yes, `Roll ${model} back from ${model}@${plan.current.version} to ${model}@${plan.target.version}?`, `rolling back ${model}`);
      const r = await applyRollback(pctx, plan);
      if (r.adr) note(ctx, `recorded ADR ${r.adr}`);
      emit(ctx, r, () => `${r.champion} is the champion again (${r.previous} archived)\n`);
    });
}
