import { statusBeforeRollout } from './status-before.js';
import { updateAdr } from '../adr/adr-ops.js';
import { appendEvent } from '../audit/chain.js';
import { servingSpecOf, stamp, stepContext, versionsOf, type RolloutContext } from './context.js';
import { formatRef } from '../refs.js';
import { snapshotAdr } from './adr-text.js';
import { assertRolloutUnchanged, rolloutMoved } from './races.js';
import { summarizeChecks } from './evaluate.js';
import { allTrafficTo, describeStage } from './stages.js';
import { newStepId } from './step-identity.js';
import { runStep } from './step.js';
import { championReplicas } from './replicas.js';
import type { HealthCheckResult } from './health-checks.js';
import type { StepOutcome } from './outcome.js';
import type { RolloutRecord } from '../../ports/registry.js';

/** All traffic back to the champion, no mirror; the ADR is Rejected with the reason. */
export async function abortRollout(
  ctx: RolloutContext,
  r: RolloutRecord,
  opts: { reason: string | null; failing: HealthCheckResult[]; by: 'rollback' | 'tick' },
): Promise<StepOutcome> {
  const { cand, champ } = await versionsOf(ctx, r);
  const spec = servingSpecOf(ctx, r.model);
  const from = describeStage(r.plan[r.step]!);
  const why =
    [
      opts.reason,
      opts.failing.length
        ? `failing check${opts.failing.length > 1 ? 's' : ''}: ${summarizeChecks(opts.failing)}`
        : null,
    ]
      .filter(Boolean)
      .join('; ') || 'no reason given';
  let adrTouched = false;
  const id = newStepId();
  const res = await runStep(stepContext(ctx), {
    verify: async () => await assertRolloutUnchanged(ctx, r),
    serving: {
      model: r.model,
      spec,
      target: {
        ...allTrafficTo(r.model, { version: champ?.version ?? cand.version, uri: r.championUri ?? r.candidateUri }),
        // A sized rollout kept the champion at full size throughout: it stays so.
        ...(championReplicas(r.plan) !== null ? { replicas: { champion: championReplicas(r.plan)! } } : {}),
      },
    },
    adr: async (journal) => {
      adrTouched = snapshotAdr(ctx, journal, r.adr);
      if (adrTouched)
        await updateAdr(ctx.adr!, r.adr!, {
          status: 'Rejected',
          log: [
            `${stamp(ctx)} aborted at ${from} by ${ctx.actor} (${opts.by}): ${why}; all traffic back to ${champ ? formatRef(champ) : 'the champion'}`,
          ],
        });
    },
    scope: `model:${cand.model}`,
    message: `mlctl: abort ${formatRef(cand)} rollout at ${from}`,
    step: { id, model: r.model, action: 'abort', version: cand.version, stage: 'abort', rollout: r.key },
    record: async (commit) => {
      const at = ctx.clock.now().toISOString();
      const ok = await ctx.registry.updateRollout(r.id, r.revision, {
        state: 'aborted',
        endedAt: at,
        updatedAt: at,
        pending: null,
        outcome: why,
        lastCommit: commit,
      });
      if (!ok) throw rolloutMoved(r);
      await ctx.registry.setStatus(cand.id, await statusBeforeRollout(ctx.registry, r, formatRef(cand)), at);
      await appendEvent(ctx.registry, {
        at,
        actor: ctx.actor,
        action: 'rollout.abort',
        model: r.model,
        subject: formatRef(cand),
        payload: {
          rollout: r.id,
          at: from,
          reason: opts.reason,
          failing: opts.failing.map((c) => ({ name: c.name, value: c.value, detail: c.detail })),
          by: opts.by,
          commit,
          stepId: id,
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
    champion: champ ? formatRef(champ) : null,
    action: 'abort',
    step: r.step,
    stage: from,
    state: 'aborted',
    commit: res.commit,
    pushed: res.pushed,
    files: res.files,
    outside: res.outside,
    adr: adrTouched ? r.adr : null,
    forced: false,
  };
}
