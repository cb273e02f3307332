import { updateAdr } from '../adr/adr-ops.js';
import { appendEvent } from '../audit/chain.js';
import { UsageError } from '../errors.js';
import { servingSpecOf, stamp, stepContext, versionsOf, type RolloutContext } from './context.js';
import { formatRef } from '../refs.js';
import { snapshotAdr } from './adr-text.js';
import { assertChampionUnchanged, assertRolloutUnchanged, rolloutMoved } from './races.js';
import { recordChampionChange } from './champion.js';
import { summarizeChecks } from './evaluate.js';
import { describeStage, stageSlug, targetAt } from './stages.js';
import { newStepId } from './step-identity.js';
import { runStep } from './step.js';
import { bakeConfirmed, stageStart, warnFutureStage } from './clock.js';
import { assertFits } from './replicas.js';
import { leavesLabelsPending, pendingFrom } from './label-pending.js';
import type { HealthCheckResult } from './health-checks.js';
import type { StepOutcome } from './outcome.js';
import type { RolloutRecord, VersionRecord } from '../../ports/registry.js';
import type { PendingLabel } from './pending.js';

export interface AdvancePlan {
  rollout: RolloutRecord;
  candidate: VersionRecord;
  champion: VersionRecord | null;
  from: number;
  to: number;
  toFull: boolean;
  /** Time left in the current stage's minDuration by this machine's clock (0 when served). */
  remainingMs: number;
  /**
   * A look recorded since the stage began confirms the bake time has passed (ADR 26: a clock jump
   * alone never ends a bake time). Only meaningful once remainingMs is 0.
   */
  confirmed: boolean;
}

export interface AdvanceOptions {
  forced: boolean;
  reason: string | null;
  checks: HealthCheckResult[];
}

/**
 * Where the next step of an open rollout leads, and how much of the current stage's bake time is
 * left. `looksUpTo`: the chain head before this command wrote anything (its own events are no
 * confirmation of a bake time).
 */
export async function planAdvance(
  ctx: RolloutContext,
  r: RolloutRecord,
  looksUpTo: number | null = null,
): Promise<AdvancePlan> {
  const { cand, champ } = await versionsOf(ctx, r);
  const cur = r.plan[r.step]!;
  warnFutureStage(ctx, r);
  const elapsed = ctx.clock.now().getTime() - new Date(r.stepStartedAt).getTime();
  const remainingMs = Math.max(0, cur.minDurationMs - elapsed);
  const to = r.step + 1;
  return {
    rollout: r,
    candidate: cand,
    champion: champ,
    from: r.step,
    to,
    toFull: r.plan[to]?.stage === 'full',
    remainingMs,
    confirmed: remainingMs === 0 && (await bakeConfirmed(ctx, r, looksUpTo)),
  };
}

/** Move the rollout to the next stage; at `full` the candidate becomes champion. */
export async function applyAdvance(ctx: RolloutContext, p: AdvancePlan, opts: AdvanceOptions): Promise<StepOutcome> {
  if (p.rollout.state === 'paused')
    throw new UsageError(
      `the rollout of ${p.rollout.model} is paused; run mlctl rollout resume ${p.rollout.model} first`,
    );
  return enterStage(ctx, p.rollout, p.to, opts, false);
}

/**
 * Enter stage `to` of the rollout in one step (serving files, ADR log line, commit, registry row).
 * `starting`: the rollout is already at this stage (a plan of only `full` just started, or a full
 * stage whose labels were pending), so no stage event. A `full` whose stable label must wait for
 * its version to load (two-push rule) does not complete yet: the label commit completes it.
 */
export async function enterStage(
  ctx: RolloutContext,
  r: RolloutRecord,
  to: number,
  opts: AdvanceOptions,
  starting: boolean,
): Promise<StepOutcome> {
  const { cand, champ } = await versionsOf(ctx, r);
  const spec = servingSpecOf(ctx, r.model);
  const stage = r.plan[to]!;
  assertFits(r.model, spec, stage);
  const target = targetAt(r, { candidate: cand.version, champion: champ?.version ?? cand.version }, to);
  const full = stage.stage === 'full' && !(!starting && leavesLabelsPending(ctx.step.root, r.model, spec, target));
  const from = describeStage(r.plan[r.step]!);
  let adrTouched = false;
  let pending: PendingLabel | null = null;
  const fresh = starting ? (await ctx.registry.getRollout(r.id))! : r;
  const id = newStepId();
  const res = await runStep(stepContext(ctx), {
    verify: async () => {
      await assertRolloutUnchanged(ctx, fresh);
      if (full) await assertChampionUnchanged(ctx, r.model, champ?.version ?? null, 'completing the rollout');
    },
    serving: { model: r.model, spec, target },
    adr: async (journal) => {
      adrTouched = snapshotAdr(ctx, journal, r.adr);
      if (!adrTouched) return;
      const line = `${stamp(ctx)} ${starting ? '' : `${from} → `}${describeStage(stage)} by ${ctx.actor}${opts.checks.length ? ` (checks: ${summarizeChecks(opts.checks)})` : ''}${opts.forced ? ` — override: ${opts.reason}` : ''}`;
      await updateAdr(
        ctx.adr!,
        r.adr!,
        full
          ? {
              status: 'Accepted',
              log: [
                line,
                `${stamp(ctx)} completed: ${formatRef(cand)} is the champion${champ ? `; ${formatRef(champ)} archived` : ''}`,
              ],
            }
          : { log: [line] },
      );
    },
    scope: `model:${cand.model}`,
    message: `mlctl: ${formatRef(cand)} ${describeStage(stage)}${full ? ' (champion)' : stage.stage === 'full' ? ' (load; labels follow)' : ''}`,
    step: {
      id,
      model: r.model,
      action: full ? 'complete' : 'advance',
      version: cand.version,
      stage: stageSlug(stage),
      rollout: r.key,
    },
    record: async (commit, edits) => {
      const at = ctx.clock.now().toISOString();
      pending = pendingFrom(edits, {
        stage: describeStage(stage),
        action: full ? 'complete' : 'advance',
        since: at,
        commit,
      });
      const ok = await ctx.registry.updateRollout(r.id, fresh.revision, {
        step: to,
        stepStartedAt: await stageStart(ctx),
        pending,
        lastCommit: commit,
        updatedAt: at,
        ...(full ? { state: 'completed', endedAt: at, outcome: 'completed' } : {}),
      });
      if (!ok) throw rolloutMoved(r);
      if (opts.forced && !starting)
        await appendEvent(ctx.registry, {
          at,
          actor: ctx.actor,
          action: 'override',
          model: r.model,
          subject: formatRef(cand),
          payload: {
            what: `leave ${from} before its bake time and checks allowed`,
            reason: opts.reason,
            rollout: r.id,
            checks: opts.checks.map((c) => ({ name: c.name, status: c.status })),
          },
        });
      if (!starting)
        await appendEvent(ctx.registry, {
          at,
          actor: ctx.actor,
          action: 'rollout.stage',
          model: r.model,
          subject: formatRef(cand),
          payload: {
            rollout: r.id,
            from,
            to: describeStage(stage),
            step: to,
            forced: opts.forced,
            reason: opts.reason,
            commit,
            stepId: id,
            ...(pending ? { pendingLabels: pending.labels } : {}),
          },
        });
      if (full) {
        await appendEvent(ctx.registry, {
          at,
          actor: ctx.actor,
          action: 'rollout.complete',
          model: r.model,
          subject: formatRef(cand),
          payload: { rollout: r.id, commit, stepId: id },
        });
        await recordChampionChange(ctx, {
          model: r.model,
          to: cand,
          from: champ,
          at,
          via: 'rollout',
          rollout: r.id,
          reason: opts.reason ?? (await startReason(ctx, r)),
          adr: r.adr,
          gateRunId: r.gateRunId,
          forced: opts.forced,
          commit,
          uri: r.candidateUri,
          stepId: id,
        });
      }
    },
  });
  return {
    model: r.model,
    rollout: r.id,
    key: r.key,
    stepId: id,
    candidate: formatRef(cand),
    champion: full ? formatRef(cand) : champ ? formatRef(champ) : null,
    action: full ? 'complete' : 'advance',
    step: to,
    stage: describeStage(stage),
    state: full ? 'completed' : fresh.state,
    commit: res.commit,
    pushed: res.pushed,
    files: res.files,
    outside: res.outside,
    adr: adrTouched ? r.adr : null,
    forced: opts.forced,
    ...(pending ? { pending } : {}),
  };
}

/** Why the rollout was started (the champion change carries it, unless the last step gave its own). */
async function startReason(ctx: RolloutContext, r: RolloutRecord): Promise<string | null> {
  const e = (await ctx.registry.events({ model: r.model, action: 'rollout.start', limit: 50 })).find(
    (x) => (x.payload as { rollout?: number }).rollout === r.id,
  );
  return (e?.payload as { reason?: string | null } | undefined)?.reason ?? null;
}
