import { newAdr } from '../adr/adr-ops.js';
import { appendEvent } from '../audit/chain.js';
import { ConcurrentChangeError } from '../errors.js';
import { servingUri, stepContext, type CandidateChange, type RolloutContext } from '../rollout/context.js';
import { formatRef } from '../refs.js';
import { gateEvidence, promotionContext } from '../rollout/adr-text.js';
import { assertChampionUnchanged } from '../rollout/races.js';
import { recordChampionChange } from '../rollout/champion.js';
import { allTrafficTo } from '../rollout/stages.js';
import { newStepId } from '../rollout/step-identity.js';
import { runStep } from '../rollout/step.js';

/** What a change of champion did (direct promotion or rollback), for rendering and --json. */
export interface ChampionResult {
  model: string;
  champion: string;
  previous: string | null;
  gateRunId: number | null;
  forced: boolean;
  adr: string | null;
  eventSeq: number;
  /** The step's id (Mlctl-Step of its commit, ADR 26). */
  stepId: string;
  /** The GitOps commit of the serving change, when the model has a serving target. */
  commit: string | null;
  pushed: boolean;
  files: string[];
  outside: string[];
}

/**
 * Make the candidate champion now, in one step: models served elsewhere, or the first version of a
 * model (whose serving config, when it has one, is written for it at 100%).
 */
export async function applyDirectPromotion(ctx: RolloutContext, change: CandidateChange): Promise<ChampionResult> {
  const cand = change.candidate;
  const champ = change.champion;
  const spec = ctx.rollout.serving[cand.model];
  const uri = spec ? await servingUri(ctx, cand) : null;
  let adrFile: string | null = null;
  const id = newStepId();
  const r = await runStep(stepContext(ctx), {
    verify: async () => {
      await assertChampionUnchanged(ctx, cand.model, champ?.version ?? null, 'promoting');
      const open = await ctx.registry.openRollout(cand.model);
      if (open)
        throw new ConcurrentChangeError(
          `${cand.model} has a rollout in progress (rollout ${open.id}); see mlctl rollout status ${cand.model}`,
          'open-rollout',
        );
    },
    serving:
      spec && uri
        ? { model: cand.model, spec, target: allTrafficTo(cand.model, { version: cand.version, uri }) }
        : null,
    adr: async (journal) => {
      if (!ctx.adr) return;
      const a = await newAdr(ctx.adr, {
        title: `Promote ${formatRef(cand)} to production`,
        status: 'accepted',
        touch: (p) => journal.snapshot(p),
        sections: {
          context: promotionContext(change),
          decision: `Make ${formatRef(cand)} the champion of ${cand.model} (direct promotion, by ${ctx.actor}${uri ? `; served from ${uri}` : ''}).\n\n${await gateEvidence(ctx, change)}`,
          consequences: champ
            ? `${formatRef(champ)} is archived and stays available: \`mlctl rollback ${cand.model}\` restores it.`
            : `${cand.model} has a champion from now on; later candidates are gated against it${spec ? ' and rolled out in stages' : ''}.`,
        },
      });
      journal.created(a.path);
      adrFile = a.file;
    },
    scope: `model:${cand.model}`,
    message: `mlctl: ${formatRef(cand)} full (${champ ? 'direct promotion' : 'first version'})`,
    step: { id, model: cand.model, action: 'promote', version: cand.version, stage: 'full', rollout: null },
    record: async (commit) => {
      const at = ctx.clock.now().toISOString();
      if (change.forced)
        await appendEvent(ctx.registry, {
          at,
          actor: ctx.actor,
          action: 'override',
          model: cand.model,
          subject: formatRef(cand),
          payload: { what: 'promote without a passing gate run', reason: change.reason },
        });
      if (adrFile)
        await appendEvent(ctx.registry, {
          at,
          actor: ctx.actor,
          action: 'adr.recorded',
          model: cand.model,
          subject: formatRef(cand),
          payload: { adr: adrFile, for: 'promote' },
        });
      return await recordChampionChange(ctx, {
        model: cand.model,
        to: cand,
        from: champ,
        at,
        via: 'promote',
        reason: change.reason,
        adr: adrFile,
        gateRunId: change.gateRun?.id ?? null,
        forced: change.forced,
        commit,
        uri,
        stepId: id,
      });
    },
  });
  return {
    model: cand.model,
    champion: formatRef(cand),
    previous: champ ? formatRef(champ) : null,
    gateRunId: change.gateRun?.id ?? null,
    forced: change.forced,
    adr: adrFile,
    eventSeq: r.result.seq,
    stepId: id,
    commit: r.commit,
    pushed: r.pushed,
    files: r.files,
    outside: r.outside,
  };
}
