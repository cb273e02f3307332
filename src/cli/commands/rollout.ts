import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit, emitVerdict } from '../output.js';
import { table } from '../render/table.js';
import { rolloutContext } from '../contexts.js';
import { shortHash } from '../../core/util/text.js';
import { decimal, type StepOptions } from '../options.js';
import type { RolloutView } from '../../core/rollout/status.js';
import type { TickEntry } from '../../core/rollout/tick.js';
import type { RolloutPreview } from '../../core/rollout/preview.js';

function renderViews(views: RolloutView[], model?: string): string {
  if (!views.length) return model ? `${model} has no rollouts\n` : 'no rollouts in progress\n';
  const rows = views.map((v) => [
    v.model,
    String(v.id),
    v.candidate,
    v.champion ?? '-',
    v.state,
    `${v.step}/${v.steps} ${v.stage}`,
    v.pull_request
      ? `${v.waiting_for ?? 'a step'}: PR #${v.pull_request.number} ${v.pull_request.state}`
      : v.pending?.kind === 'label'
        ? `labels ${Object.entries(v.pending.labels)
            .map(([l, n]) => `${l} → ${n}`)
            .join(', ')} wait for the load since ${v.pending.since}`
        : v.remaining === null
          ? (v.outcome ?? '-')
          : v.remaining === '0s'
            ? `ready${v.next ? ` for ${v.next}` : ''}`
            : `${v.remaining} left`,
    v.lastChecks ? v.lastChecks.results.map((c) => `${c.name}:${c.status}`).join(' ') || '-' : '-',
    shortHash(v.lastCommit),
  ]);
  return table(['MODEL', 'ID', 'CANDIDATE', 'CHAMPION', 'STATE', 'STAGE', 'NEXT', 'CHECKS', 'COMMIT'], rows);
}

function renderTick(entries: TickEntry[]): string {
  if (!entries.length) return 'no rollouts in progress\n';
  return entries
    .map(
      (e) =>
        `${e.model} (${e.candidate}, ${e.stage}): ${e.action} — ${e.detail}${e.commit ? ` [commit ${shortHash(e.commit)}]` : ''}\n`,
    )
    .join('');
}

function renderPreview(p: RolloutPreview): string {
  const lines = [
    `${p.candidate} against ${p.champion ?? 'no champion (goes straight to full)'} — plan ${p.plan} on ${p.adapter}`,
  ];
  for (const s of p.stages)
    lines.push(
      `${s.current ? '▶' : ' '} ${s.index}. ${s.stage}${s.minDuration ? `, at least ${s.minDuration}` : ''}${s.checks.length ? `, checks: ${s.checks.join(', ')}` : ''}${s.auto ? ', auto' : ''}${s.replicas ? ` — replicas: ${s.replicas.candidate} candidate + ${s.replicas.champion} champion = ${s.replicas.total}${s.replicas.overMax ? ' (above max_replicas: refused)' : ''}` : ''}`,
    );
  if (p.scaleDown)
    lines.push(
      `  then, ${p.scaleDown.after} after full: replicas ${p.scaleDown.candidate} (the new champion) + 0 (the old one)`,
    );
  if (p.next === null)
    lines.push('', `${p.model} has a rollout of another version in progress; nothing to preview for ${p.candidate}`);
  else {
    lines.push('', `next: ${p.next}`);
    const changed = p.diffs.filter((d) => d.diff.includes('\n@@'));
    if (!changed.length) lines.push('(no change to the serving files)');
    for (const d of changed) lines.push(d.diff.trimEnd());
    if (p.then) {
      const labels = Object.entries(p.then.labels)
        .map(([l, v]) => `${l} → ${v}`)
        .join(', ');
      lines.push(
        '',
        `then, once the version is loaded, a second commit (two-push rule): labels ${labels}, and the traffic split`,
      );
      for (const d of p.then.diffs.filter((x) => x.diff.includes('\n@@'))) lines.push(d.diff.trimEnd());
    }
  }
  return `${lines.join('\n')}\n`;
}

export function registerRollout(program: Command, deps: Deps): void {
  const rollout = program
    .command('rollout')
    .description('staged rollouts: status, dry-run plans, pause/resume, and the automation tick')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl rollout status\n  $ mlctl rollout plan fraud@4\n  $ mlctl rollout pause fraud --reason "holiday freeze"\n  $ mlctl rollout tick --push          # from a scheduled CI job',
    );

  rollout
    .command('status')
    .addHelpText('after', '\nExamples:\n  $ mlctl rollout status\n  $ mlctl rollout status fraud --json')
    .description("open rollouts (all models), or one model's recent rollouts")
    .argument('[model]')
    .action(async (model: string | undefined, _opts: unknown, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { rolloutStatus } = await import('../../core/rollout/status.js');
      const views = await rolloutStatus(await rolloutContext(deps, { adr: false }, ctx.warnings), model);
      await emit(ctx, views, () => renderViews(views, model));
    });

  rollout
    .command('plan')
    .addHelpText('after', '\nExamples:\n  $ mlctl rollout plan fraud@4\n  $ mlctl rollout plan fraud@candidate --json')
    .description(
      'dry run: the stages of the plan and a unified diff of each serving file at the next stage (writes nothing)',
    )
    .argument('<ref>', 'the candidate, e.g. fraud@4')
    .option(
      '--assume-qps-per-replica <n>',
      'size a candidate registered without its throughput metric (serving.<model>.capacity)',
      decimal('--assume-qps-per-replica'),
    )
    .action(async (ref: string, opts: { assumeQpsPerReplica?: number }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { previewRollout } = await import('../../core/rollout/preview.js');
      const p = await previewRollout(await rolloutContext(deps, { adr: false }, ctx.warnings), ref, opts);
      ctx.warnings.push(...p.warnings);
      await emit(ctx, p, () => renderPreview(p));
    });

  for (const [name, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    rollout
      .command(name)
      .description(
        paused
          ? 'hold a rollout where it is: promote and tick leave it alone'
          : 'let promote and tick move a paused rollout again',
      )
      .argument('<model>')
      .option('--reason <text>', 'why (recorded in the audit log)')
      .addHelpText(
        'after',
        paused
          ? '\nExamples:\n  $ mlctl rollout pause fraud --reason "holiday freeze"\n  $ mlctl rollout pause fraud --json'
          : '\nExamples:\n  $ mlctl rollout resume fraud --reason "freeze over"\n  $ mlctl rollout resume fraud --json',
      )
      .action(async (model: string, opts: { reason?: string }, cmd: Command) => {
        const ctx = commandCtx(deps, cmd);
        const { setPaused } = await import('../../core/rollout/pause.js');
        const v = await setPaused(
          await rolloutContext(deps, { adr: false }, ctx.warnings),
          model,
          paused,
          opts.reason ?? null,
        );
        await emit(ctx, v, () => `rollout ${v.id} of ${v.candidate} ${paused ? 'paused' : 'resumed'} at ${v.stage}\n`);
      });
  }

  rollout
    .command('tick')
    .description(
      'for automation: run the checks of every open rollout; abort on a failing check, advance into stages marked auto: true when the bake time has passed',
    )
    .option('--model <name>', 'only this model')
    .option('--no-commit', 'write the serving files but do not commit them')
    .option('--push', 'push each commit to the configured remote')
    .option('--pr', 'open a pull request for each step instead of committing (overrides git.mode)')
    .option('--allow-dirty', 'edit serving files that have uncommitted changes')
    .addHelpText(
      'after',
      '\nSteps waiting for their pull request (git.mode: pull-request) are looked at first: merged ones take\neffect (their bake time starts at the merge), closed ones are cancelled, open ones are left alone\n(exit 0), rebased when their base moved on; a conflict is reported, never forced.\n\nExit status: 0 when every check could be evaluated (whatever was done), 5 when a check was inconclusive, 3 when one could not run.\n\nExamples:\n  $ mlctl rollout tick --push --json          # cron in CI\n  $ mlctl rollout tick --pr --json            # steps as pull requests\n  $ mlctl rollout tick --model fraud --no-commit',
    )
    .action(async (opts: Omit<StepOptions, 'adr'> & { model?: string }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { tick } = await import('../../core/rollout/tick.js');
      const { entries, problem } = await tick(await rolloutContext(deps, opts, ctx.warnings), { model: opts.model });
      await emitVerdict(
        ctx,
        entries,
        () => renderTick(entries),
        problem === null,
        problem?.message ?? '',
        problem?.outcome,
      );
    });
}
