import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit, emitVerdict } from '../output.js';
import { table } from '../render/table.js';
import { rolloutContext } from '../contexts.js';
import { shortHash } from '../../core/util/text.js';
import { decimal, positiveInt, type StepOptions } from '../options.js';
import type { RolloutView } from '../../core/rollout/status.js';
import type { TickEntry } from '../../core/rollout/tick.js';
import type { RolloutPreview } from '../../core/rollout/preview.js';
import type { CompareCheckResult } from '../../core/rollout/compare-check.js';
import type { ComparePlan } from '../../core/rollout/compare-plan.js';
import type { RolloutHistory } from '../../core/rollout/history.js';
import { fmtDiff, formatInterval } from '../../core/rollout/looks.js';

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
  const compares = views.flatMap((v) =>
    v.state === 'active' || v.state === 'paused'
      ? (v.lastChecks?.results ?? [])
          .filter((c): c is CompareCheckResult => c.kind === 'compare')
          .map((c) => ({ v, c }))
      : [],
  );
  return (
    table(['MODEL', 'ID', 'CANDIDATE', 'CHAMPION', 'STATE', 'STAGE', 'NEXT', 'CHECKS', 'COMMIT'], rows) +
    compares
      .map(
        ({ v, c }) =>
          `${v.model} ${c.name}: ${c.status}${c.lower !== null && c.upper !== null ? `, candidate worse by ${formatInterval(c.lower, c.upper)}` : ''} (margin ${c.margin}, ${c.looks} look(s)${c.candidate && c.champion ? `; candidate ${c.candidate.events}/${c.candidate.trials}, champion ${c.champion.events}/${c.champion.trials}` : ''})\n`,
      )
      .join('')
  );
}

function renderHistory(h: RolloutHistory): string {
  const head = `rollout ${h.rollout} of ${h.candidate} against ${h.champion ?? 'no champion'} (${h.state}): ${h.looks.length} look(s)\n`;
  if (!h.looks.length) return `${head}no compare check has looked at this rollout\n`;
  return (
    head +
    table(
      ['AT', 'STAGE', 'CHECK', 'CANDIDATE', 'CHAMPION', 'ESTIMATE', 'INTERVAL', 'RUNNING', 'VERDICT'],
      h.looks.map((l) => [
        l.at,
        l.stage,
        l.check,
        `${l.candidate.events}/${l.candidate.trials}`,
        `${l.champion.events}/${l.champion.trials}`,
        l.estimate === null ? '-' : fmtDiff(l.estimate),
        l.interval ? formatInterval(l.interval.lower, l.interval.upper) : '-',
        l.running ? formatInterval(l.running.lower, l.running.upper) : '-',
        l.counted ? l.verdict : `${l.verdict} (below min_trials ${l.params.minTrials})`,
      ]),
    )
  );
}

function renderComparePlans(plans: ComparePlan[]): string[] {
  const lines: string[] = [];
  for (const c of plans) {
    lines.push(
      '',
      `${c.check}: ${c.fixed_horizon_trials === null ? 'no fixed-horizon sample size' : `${c.fixed_horizon_trials} trials per side`} for a fixed-horizon test (power 0.8 at no true difference, margin ${c.margin}, alpha ${c.alpha}${c.baselineRate !== null ? `, baseline rate ${c.baselineRate} from ${c.baselineFrom === 'flag' ? '--baseline-rate' : 'the source'}` : ''})`,
    );
    for (const s of c.stages)
      lines.push(
        `  ${s.index}. ${s.stage}: ${s.duration ? `about ${s.duration} at ${c.requestsPerSecond!.toFixed(2)} requests/s` : 'time unknown'}`,
      );
    for (const n of c.notes) lines.push(`  note: ${n}`);
  }
  return lines;
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
  lines.push(...renderComparePlans(p.compareChecks));
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
      '\nExamples:\n  $ mlctl rollout status\n  $ mlctl rollout plan fraud@4\n  $ mlctl rollout history fraud\n  $ mlctl rollout pause fraud --reason "holiday freeze"\n  $ mlctl rollout tick --push          # from a scheduled CI job',
    );

  rollout
    .command('status')
    .addHelpText('after', '\nExamples:\n  $ mlctl rollout status\n  $ mlctl rollout status fraud --json')
    .description("open rollouts (all models), or one model's recent rollouts")
    .argument('[model]')
    .option('--check', "run the checks of each active rollout's stage now (a recorded look; nothing moves)")
    .addHelpText(
      'after',
      '\nWith --check the exit status is 1 when a check fails, 5 when one cannot decide yet, 3 when one cannot run.\n\nExamples:\n  $ mlctl rollout status\n  $ mlctl rollout status fraud --check --json',
    )
    .action(async (model: string | undefined, opts: { check?: boolean }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { rolloutStatus, rolloutStatusChecked } = await import('../../core/rollout/status.js');
      const rctx = await rolloutContext(deps, { adr: false }, ctx.warnings);
      if (!opts.check) {
        const views = await rolloutStatus(rctx, model);
        return emit(ctx, views, () => renderViews(views, model));
      }
      const { views, problem } = await rolloutStatusChecked(rctx, model);
      await emitVerdict(
        ctx,
        views,
        () => renderViews(views, model),
        problem === null,
        problem?.message ?? '',
        problem?.outcome,
      );
    });

  rollout
    .command('history')
    .description("every look of a rollout's live compare checks: counts per side, interval, verdict")
    .argument('<model>')
    .option('--rollout <id>', 'this rollout of the model (default: its latest)', positiveInt('--rollout'))
    .addHelpText(
      'after',
      "\nINTERVAL is the look's own confidence interval for how much worse the candidate is; RUNNING is the\nintersection over the stage's looks so far, which the verdict is decided on.\n\nExamples:\n  $ mlctl rollout history fraud\n  $ mlctl rollout history fraud --rollout 7 --json",
    )
    .action(async (model: string, opts: { rollout?: number }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { rolloutHistory } = await import('../../core/rollout/history.js');
      const h = await rolloutHistory(await deps.registry(), model, { rollout: opts.rollout });
      await emit(ctx, h, () => renderHistory(h));
    });

  rollout
    .command('plan')
    .description(
      'dry run: the stages of the plan and a unified diff of each serving file at the next stage (writes nothing)',
    )
    .argument('<ref>', 'the candidate, e.g. fraud@4')
    .option(
      '--assume-qps-per-replica <n>',
      'size a candidate registered without its throughput metric (serving.<model>.capacity)',
      decimal('--assume-qps-per-replica'),
    )
    .option(
      '--baseline-rate <p>',
      "the champion's current rate for compare checks' sample sizes (default: measured by the check's source over the last hour)",
      decimal('--baseline-rate'),
    )
    .addHelpText(
      'after',
      '\nFor each compare check: the trials per side a fixed-horizon test needs (power 0.8 when the candidate is\nno worse), and how long each stage takes to collect them at its traffic share.\n\nExamples:\n  $ mlctl rollout plan fraud@4\n  $ mlctl rollout plan fraud@4 --baseline-rate 0.004 --json\n  $ mlctl rollout plan fraud@4 --assume-qps-per-replica 80',
    )
    .action(async (ref: string, opts: { assumeQpsPerReplica?: number; baselineRate?: number }, cmd: Command) => {
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
