import { shortHash } from '../util/text.js';
import { check, why, type DoctorCheck, type DoctorContext } from './check.js';
import { inspectModel, type Disagreement } from '../reconcile/inspect.js';
import { describeStep, warningOf } from '../reconcile/describe.js';
import { journaledModels } from '../rollout/step-journal.js';
import { clockBehind, CLOCK_TOLERANCE_MS } from '../rollout/clock.js';
import { formatDuration } from '../rollout/stages.js';
import type { ResolvedConfig } from '../config/index.js';

/**
 * Does the registry agree with the GitOps history and the working tree about every model's last
 * step (ADR 26)? Only looks: promote, rollback, tick and rollout status settle what it finds.
 */
export async function stepsCheck(ctx: DoctorContext, cfg: ResolvedConfig): Promise<DoctorCheck> {
  const models = [...new Set([...Object.keys(cfg.rollout.serving), ...journaledModels(cfg.root)])].sort();
  if (!models.length) return check('rollout steps', 'skip', 'no serving targets and no interrupted steps');
  try {
    const view = {
      registry: await ctx.registry(),
      root: cfg.root,
      git: { ...cfg.git, allowDirty: false },
      openGit: (dir: string) => ctx.gitops(dir),
      serving: cfg.rollout.serving,
    };
    const found: Disagreement[] = [];
    for (const m of models) {
      const d = await inspectModel(view, m);
      if (d) found.push(d);
    }
    if (!found.length)
      return check(
        'rollout steps',
        'ok',
        `the registry, the GitOps history and the working tree agree (${models.join(', ')})`,
      );
    return check(
      'rollout steps',
      'warn',
      found.map(detailOf).join('; '),
      [...new Set(found.map((d) => `mlctl rollout status ${d.model}`))].join(', ') +
        ' settles what an interrupted step left (adopts its commit, or restores its files); see docs/adr/0026',
    );
  } catch (err) {
    return check('rollout steps', 'warn', why(err), 'fix what the message says, then run mlctl doctor again');
  }
}

function detailOf(d: Disagreement): string {
  switch (d.kind) {
    case 'stale-journal':
      return `${d.model}: a journal of ${describeStep(d.journal.step)} is left, though the registry recorded it`;
    case 'uncommitted':
      return `${d.model}: ${describeStep(d.journal.step)} was interrupted after writing ${d.journal.files.length} file(s), before committing them`;
    case 'reverted':
      return `${d.model}: ${describeStep(d.journal.step)} was interrupted, and its commit ${shortHash(d.commit)} reverted since`;
    case 'unrecorded':
      return `${d.model}: ${shortHash(d.commit)} (${describeStep(d.step)}) was committed${d.published ? ' and pushed' : ''} but not recorded in the registry`;
    default:
      return warningOf(d);
  }
}

/** This machine's clock against the registry's last event (ADR 26). */
export async function clockCheck(ctx: DoctorContext): Promise<DoctorCheck> {
  try {
    const registry = await ctx.registry();
    const behind = await clockBehind({ registry, clock: ctx.clock });
    if (behind)
      return check(
        'clock',
        'warn',
        behind,
        "set this machine's clock right (NTP); mlctl refuses forward rollout steps meanwhile",
      );
    const last = await registry.lastEvent();
    const ahead = last ? ctx.clock.now().getTime() - Date.parse(last.at) : 0;
    return check(
      'clock',
      'ok',
      last
        ? `this machine's clock is not behind the registry's last event (#${last.seq}, ${formatDuration(Math.max(0, ahead))} ago; tolerance ${formatDuration(CLOCK_TOLERANCE_MS)})`
        : 'no events yet',
    );
  } catch (err) {
    return check('clock', 'skip', why(err));
  }
}
