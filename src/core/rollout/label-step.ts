import { updateAdr } from '../adr/adr-ops.js';
import { appendEvent } from '../audit/chain.js';
import { UsageError, VerdictError } from '../errors.js';
import { formatRef } from '../refs.js';
import { servingSpecOf, stamp, stepContext, versionsOf, type RolloutContext } from './context.js';
import { snapshotAdr } from './adr-text.js';
import { assertRolloutUnchanged, rolloutMoved } from './races.js';
import { describeStage, stageSlug, targetAt } from './stages.js';
import { newStepId } from './step-identity.js';
import { runStep } from './step.js';
import { stageStart } from './clock.js';
import { enterStage } from './advance.js';
import { labelReadiness, type LabelReadiness } from './label-ready.js';
import { labelList, pendingFrom, pendingLabelOf } from './label-pending.js';
import type { PendingLabel } from './pending.js';
import type { StepOutcome } from './outcome.js';
import type { RolloutRecord } from '../../ports/registry.js';

/*
 * The second push of the two-push rule (ADR 23, text-proto serving files). A step whose commit
 * loads a version leaves the labels that must point at it pending (RolloutRecord.pending, kind
 * `label`); the next promote or tick, once the version is loaded (status_url, else label_delay),
 * writes them in a second commit of the same target. The stage's bake time starts then: before
 * the label moves, no traffic reaches the version by it.
 */

/** Whether the pending labels of `r` may be written now. */
export async function labelsReady(ctx: RolloutContext, r: RolloutRecord, p: PendingLabel): Promise<LabelReadiness> {
  return labelReadiness({ now: ctx.clock.now(), fetch: ctx.checks.fetch }, r.model, servingSpecOf(ctx, r.model), p);
}

/** The refusal when labels are not ready (exit 1: like bake time left, it is a matter of waiting). */
export function notReady(r: RolloutRecord, p: PendingLabel, why: LabelReadiness): VerdictError {
  return new VerdictError(
    `${r.model}: ${p.stage} waits for its version to load before labels ${labelList(p)} are written (two-push rule): ${why.detail}; run mlctl promote or mlctl rollout tick again later`,
  );
}

/**
 * Write the pending labels (the second commit). At a `full` stage that is what makes the candidate
 * champion: the rollout completes in this commit. Elsewhere the stage's bake time starts now.
 */
export async function settleLabels(ctx: RolloutContext, r: RolloutRecord, ready: LabelReadiness): Promise<StepOutcome> {
  const p = pendingLabelOf(r);
  if (!p) throw new UsageError(`the rollout of ${r.model} has no labels waiting`);
  const stage = r.plan[r.step]!;
  if (stage.stage === 'full' && r.state !== 'completed')
    return enterStage(ctx, r, r.step, { forced: false, reason: null, checks: [] }, true);
  const { cand, champ } = await versionsOf(ctx, r);
  const spec = servingSpecOf(ctx, r.model);
  const id = newStepId();
  let adrTouched = false;
  let still: PendingLabel | null = null;
  const res = await runStep(stepContext(ctx), {
    verify: async () => await assertRolloutUnchanged(ctx, r),
    serving: {
      model: r.model,
      spec,
      target: targetAt(r, { candidate: cand.version, champion: champ?.version ?? cand.version }, r.step),
    },
    adr: async (journal) => {
      adrTouched = snapshotAdr(ctx, journal, r.adr);
      if (adrTouched)
        await updateAdr(ctx.adr!, r.adr!, {
          log: [
            `${stamp(ctx)} ${describeStage(stage)}: labels ${labelList(p)} written by ${ctx.actor} (${ready.detail}); the stage's bake time starts now`,
          ],
        });
    },
    scope: `model:${r.model}`,
    message: `mlctl: ${formatRef(cand)} ${describeStage(stage)}: labels ${labelList(p)}`,
    step: { id, model: r.model, action: 'label', version: cand.version, stage: stageSlug(stage), rollout: r.key },
    record: async (commit, edits) => {
      const at = ctx.clock.now().toISOString();
      // The file changed by hand meanwhile (another version to load first): wait once more.
      still = pendingFrom(edits, { stage: p.stage, action: p.action, since: at, commit });
      const ok = await ctx.registry.updateRollout(r.id, r.revision, {
        pending: still,
        ...(still ? {} : { stepStartedAt: await stageStart(ctx) }),
        lastCommit: commit ?? r.lastCommit,
        updatedAt: at,
      });
      if (!ok) throw rolloutMoved(r);
      await appendEvent(ctx.registry, {
        at,
        actor: ctx.actor,
        action: 'rollout.label',
        model: r.model,
        subject: formatRef(cand),
        payload: {
          rollout: r.id,
          stage: describeStage(stage),
          labels: p.labels,
          loadCommit: p.loadCommit,
          ready: ready.detail,
          commit,
          stepId: id,
          ...(still ? { stillPending: (still as PendingLabel).labels } : {}),
        },
      });
    },
  });
  return {
    model: r.model,
    rollout: r.id,
    key: r.key,
    stepId: id,
    candidate: formatRef(cand),
    champion: r.state === 'completed' ? formatRef(cand) : champ ? formatRef(champ) : null,
    action: 'label',
    step: r.step,
    stage: describeStage(stage),
    state: r.state,
    commit: res.commit,
    pushed: res.pushed,
    files: res.files,
    outside: res.outside,
    adr: adrTouched ? r.adr : null,
    forced: false,
    ...(still ? { pending: still } : {}),
  };
}
