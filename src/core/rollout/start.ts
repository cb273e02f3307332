import { appendEvent } from '../audit/chain.js';
import { stepContext, type CandidateChange, type RolloutContext } from './context.js';
import { formatRef } from '../refs.js';
import { assertChampionUnchanged } from './races.js';
import { enterStage } from './advance.js';
import { describeStage } from './stages.js';
import { runStep } from './step.js';
import { stageStart } from './clock.js';
import type { RolloutRecord } from '../../ports/registry.js';
import type { StepOutcome } from './outcome.js';
import type { SizedPlan } from './replicas.js';
import { assertNoOpenRollout, prepareStart, writeStartAdr } from './start-prep.js';
import { pendingFrom } from './label-pending.js';
import type { PendingLabel } from './pending.js';

/**
 * Start a staged rollout of a gated candidate against the champion (the first call of promote).
 * `sized`: the plan as promote sized it (replicas per stage); sized here when not given.
 */
export async function startRollout(
  ctx: RolloutContext,
  change: CandidateChange,
  sized?: SizedPlan,
): Promise<StepOutcome> {
  const prep = await prepareStart(ctx, change, sized);
  const { cand, champ, spec, plan, stages, first, candidateUri, championUri, id, step } = prep;
  let adrFile: string | null = null;
  let pending: PendingLabel | null = null;
  const r = await runStep(stepContext(ctx), {
    verify: async () => {
      await assertChampionUnchanged(ctx, cand.model, champ.version, 'starting the rollout');
      await assertNoOpenRollout(ctx, cand.model);
    },
    serving: prep.serving,
    adr: async (journal) => {
      adrFile = await writeStartAdr(ctx, change, prep, journal, 'commit');
    },
    scope: `model:${cand.model}`,
    message: `mlctl: ${formatRef(cand)} ${describeStage(first)}`,
    step,
    record: async (commit, edits) => {
      const at = ctx.clock.now().toISOString();
      const inserted = await ctx.registry.insertRollout({
        key: id,
        model: cand.model,
        candidateId: cand.id,
        championId: champ.id,
        planName: spec.plan,
        plan: stages,
        step: 0,
        state: 'active',
        stepStartedAt: await stageStart(ctx),
        candidateUri,
        championUri,
        gateRunId: change.gateRun?.id ?? null,
        adr: adrFile,
        lastCommit: commit,
        startedAt: at,
        startedBy: ctx.actor,
      });
      // Two-push rule: the labels naming the candidate follow once the server has loaded it.
      pending = pendingFrom(edits, { stage: describeStage(first), action: 'start', since: at, commit });
      const row = pending ? await withPending(ctx, inserted, pending, at) : inserted;
      await ctx.registry.setStatus(cand.id, 'staging', at);
      if (change.forced)
        await appendEvent(ctx.registry, {
          at,
          actor: ctx.actor,
          action: 'override',
          model: cand.model,
          subject: formatRef(cand),
          payload: { what: 'start a rollout without a passing gate run', reason: change.reason, rollout: row.id },
        });
      if (adrFile)
        await appendEvent(ctx.registry, {
          at,
          actor: ctx.actor,
          action: 'adr.recorded',
          model: cand.model,
          subject: formatRef(cand),
          payload: { adr: adrFile, for: 'rollout', rollout: row.id },
        });
      await appendEvent(ctx.registry, {
        at,
        actor: ctx.actor,
        action: 'rollout.start',
        model: cand.model,
        subject: formatRef(cand),
        payload: {
          rollout: row.id,
          version: cand.version,
          previousStatus: cand.status,
          champion: champ.version,
          plan: spec.plan,
          stages: stages.map(describeStage),
          stage: describeStage(first),
          gateRunId: change.gateRun?.id ?? null,
          forced: change.forced,
          reason: change.reason,
          commit,
          uri: candidateUri,
          ...(plan.sizing ? { capacity: plan.sizing } : {}),
          ...(pending ? { pendingLabels: pending.labels } : {}),
        },
      });
      return row;
    },
  });
  const row = r.result;
  // A plan of only `full` completes at once (or with its label commit, when the label must wait).
  if (first.stage === 'full' && !pending)
    return {
      ...(await enterStage(ctx, row, 0, { forced: change.forced, reason: change.reason, checks: [] }, true)),
      action: 'complete',
    };
  return {
    model: cand.model,
    rollout: row.id,
    key: id,
    stepId: id,
    candidate: formatRef(cand),
    champion: formatRef(champ),
    action: 'start',
    step: 0,
    stage: describeStage(first),
    state: 'active',
    commit: r.commit,
    pushed: r.pushed,
    files: r.files,
    outside: r.outside,
    adr: adrFile,
    forced: change.forced,
    ...(pending ? { pending } : {}),
  };
}

async function withPending(
  ctx: RolloutContext,
  row: RolloutRecord,
  pending: PendingLabel,
  at: string,
): Promise<RolloutRecord> {
  if (!(await ctx.registry.updateRollout(row.id, row.revision, { pending, updatedAt: at })))
    throw new Error(`internal error: rollout ${row.id} changed while it was being started`);
  return (await ctx.registry.getRollout(row.id))!;
}
