import { relative } from 'node:path';
import { appendEvent } from '../audit/chain.js';
import { UnreconciledStepError } from '../errors.js';
import { shortHash } from '../util/text.js';
import {
  journaledModels,
  restoreJournalFiles,
  removeStepJournal,
  type StepJournalData,
} from '../rollout/step-journal.js';
import { inspectModel, type Disagreement, type ReconcileView } from './inspect.js';
import { describeStep, warningOf } from './describe.js';
import type { RolloutContext } from '../rollout/context.js';

export const reconcileView = (ctx: RolloutContext): ReconcileView => ({
  registry: ctx.registry,
  root: ctx.step.root,
  git: ctx.step.git,
  openGit: ctx.step.openGit,
  serving: ctx.rollout.serving,
});

/**
 * Reconcile `model`, or every model with a serving target or a journal left in the project, and
 * say (ctx.warn) what was done or disagrees.
 */
export async function reconcile(ctx: RolloutContext, model?: string): Promise<void> {
  const models = model
    ? [model]
    : [...new Set([...Object.keys(ctx.rollout.serving), ...journaledModels(ctx.step.root)])].sort();
  for (const w of await reconcileModels(ctx, models)) ctx.warn(w);
}

/**
 * Before promote, rollback, tick and rollout status act on a model (ADR 26): settle what a killed
 * step left behind. Files it wrote but did not commit are restored; its unpushed commit (when steps
 * push) is undone; a commit it made but did not record is adopted. What cannot be settled stops the
 * command with UnreconciledStepError naming the commit and what resolves it. Returns what was done
 * and what disagrees without blocking (for warnings). The common case — nothing to settle — only reads.
 */
export async function reconcileModels(ctx: RolloutContext, models: string[]): Promise<string[]> {
  const view = reconcileView(ctx);
  const said: string[] = [];
  for (const model of models) {
    const seen = await inspectModel(view, model);
    if (!seen) continue;
    if (seen.kind === 'registry-ahead' || seen.kind === 'superseded') {
      said.push(warningOf(seen));
      continue;
    }
    // Settle it holding the model's step lock: a step still running elsewhere finishes first, and
    // what it leaves is looked at again.
    const done = await ctx.registry.write(async () => {
      await ctx.registry.exclusive(`model:${model}`);
      const d = await inspectModel(view, model);
      return d ? await settle(ctx, d) : null;
    });
    if (done) said.push(done);
  }
  return said;
}

async function settle(ctx: RolloutContext, d: Disagreement): Promise<string> {
  switch (d.kind) {
    case 'registry-ahead':
    case 'superseded':
      return warningOf(d);
    case 'stale-journal':
      removeStepJournal(ctx.step.root, d.model);
      return `removed the journal of ${describeStep(d.journal.step)}, which the registry had recorded`;
    case 'uncommitted':
    case 'reverted':
      return discard(ctx, d.journal, { reverted: d.kind === 'reverted' ? d.commit : null, undone: null });
    case 'unrecorded':
      if (d.published || !ctx.step.git.push) return adopt(ctx, d);
      if (d.journal && d.head) {
        await d.git.undo(d.commit);
        return discard(ctx, d.journal, { reverted: null, undone: d.commit });
      }
      throw new UnreconciledStepError(
        `${shortHash(d.commit)} (${describeStep(d.step)}) was committed by mlctl but neither pushed nor recorded in the registry${d.journal ? ', and has commits on top of it' : ''}; push it (git push ${ctx.step.git.remote} HEAD) and run mlctl rollout status ${d.model} to adopt it, or take it out of the branch${d.journal ? '' : ` (git reset --keep ${shortHash(d.commit)}~1)`}`,
      );
  }
}

async function adopt(ctx: RolloutContext, d: Extract<Disagreement, { kind: 'unrecorded' }>): Promise<string> {
  const { adoptStep, NotAdoptable } = await import('./adopt.js'); // rare: kept off the common path
  try {
    const note = await adoptStep(ctx, d);
    if (d.journal) removeStepJournal(ctx.step.root, d.model);
    return note;
  } catch (err) {
    if (!(err instanceof NotAdoptable)) throw err;
    throw new UnreconciledStepError(
      `${shortHash(d.commit)} (${describeStep(d.step)}) was committed${d.published ? ' and pushed' : ''} by mlctl but not recorded in the registry, and cannot be adopted: ${err.message}; revert it (git revert ${shortHash(d.commit)}${d.published ? `, then git push ${ctx.step.git.remote} HEAD` : ''}) and run the command again`,
    );
  }
}

/** The step did not happen: its files back as they were, its journal gone, and an event saying so. */
async function discard(
  ctx: RolloutContext,
  j: StepJournalData,
  how: { reverted: string | null; undone: string | null },
): Promise<string> {
  const files = restoreJournalFiles(j);
  removeStepJournal(ctx.step.root, j.step.model);
  const rel = (ps: string[]) => ps.map((p) => relative(ctx.step.root, p));
  await appendEvent(ctx.registry, {
    at: ctx.clock.now().toISOString(),
    actor: ctx.actor,
    action: 'step.discard',
    model: j.step.model,
    subject: `${j.step.model}@${j.step.version}`,
    payload: {
      stepId: j.step.id,
      action: j.step.action,
      stage: j.step.stage,
      phase: j.phase,
      madeBy: j.actor,
      startedAt: j.startedAt,
      restored: rel(files.restored),
      kept: rel(files.kept),
      undone: how.undone,
      reverted: how.reverted,
    },
  });
  const what = how.undone
    ? `undid its unpushed commit ${shortHash(how.undone)}`
    : how.reverted
      ? `its commit ${shortHash(how.reverted)} was reverted`
      : 'nothing had been committed';
  const restored = files.restored.length ? `restored ${rel(files.restored).join(', ')}` : 'no file to restore';
  const kept = files.kept.length ? `; left ${rel(files.kept).join(', ')} as is (changed since the step wrote it)` : '';
  return `${describeStep(j.step)} was interrupted: ${what}; ${restored}${kept}`;
}
