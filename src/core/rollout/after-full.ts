import { updateAdr } from '../adr/adr-ops.js';
import { appendEvent } from '../audit/chain.js';
import { formatRef } from '../refs.js';
import { adapterFor } from '../serving/catalog.js';
import { afterWindowTarget } from '../serving/version-policy.js';
import { servingSpecOf, stamp, stepContext, versionsOf, type RolloutContext } from './context.js';
import { snapshotAdr } from './adr-text.js';
import { assertChampionUnchanged, assertRolloutUnchanged, rolloutMoved } from './races.js';
import { formatDuration, targetAt } from './stages.js';
import { newStepId } from './step-identity.js';
import { runStep } from './step.js';
import { renderServing } from './serving-files.js';
import { scaledDownReplicas } from './replicas.js';
import { pendingOf } from './pending.js';
import type { StepOutcome } from './outcome.js';
import type { ServingSpec } from '../config/index.js';
import type { TrafficTarget } from '../serving/types.js';
import type { RolloutRecord } from '../../ports/registry.js';

/*
 * The step after full's window (issues 14 and 16): at `full` the old champion stays up — at full
 * size with a capacity configuration, loaded on a model server — so a rollback in that window is
 * instant. The first `rollout tick` after the window takes it down in its own commit: replicas to 0
 * (scaleDownAfter, default 1h), the version unloaded (unload_after, default 1h). Nothing is stored
 * for it: it is owed while the model's latest rollout is completed, its candidate is still the
 * champion, no `cleanup` step of that rollout is recorded, and writing it would change the files.
 */

export interface AfterFull {
  rollout: RolloutRecord;
  /** When the window ends (ISO): the step is due from then on. */
  due: string;
  /** What the step does, e.g. "fraud@1 scaled to 0". */
  what: string;
  windowMs: number;
}

const DEFAULT_WINDOW_MS = 3_600_000;

/** How long the old champion stays up after full: scaleDownAfter with capacity, else unload_after, else 1h. */
export const windowOf = (spec: ServingSpec): number =>
  spec.capacity?.scaleDownAfterMs ?? spec.unloadAfterMs ?? DEFAULT_WINDOW_MS;

function targetAfter(r: RolloutRecord, spec: ServingSpec, versions: { candidate: number; champion: number }) {
  const full = targetAt(r, versions, r.plan.length - 1);
  if (adapterFor(spec.adapter).format === 'textproto') return afterWindowTarget(full);
  const replicas = scaledDownReplicas(r.plan);
  return replicas ? { ...full, replicas } : full;
}

/** What the model's latest (completed) rollout still owes after full's window, or null. */
export async function owedAfterFull(ctx: RolloutContext, model: string): Promise<AfterFull | null> {
  const spec = ctx.rollout.serving[model];
  if (!spec) return null;
  const [r] = await ctx.registry.rollouts({ model, limit: 1 });
  if (!r || r.state !== 'completed' || pendingOf(r) || r.championId === null) return null;
  const { cand, champ } = await versionsOf(ctx, r);
  if ((await ctx.registry.resolveAlias(model, 'champion')) !== cand.version) return null; // rolled back since
  if ((await ctx.registry.lastStep({ rollout: r.key }))?.action === 'cleanup') return null;
  const target: TrafficTarget = targetAfter(r, spec, { candidate: cand.version, champion: champ!.version });
  if (!renderServing(ctx.step.root, model, spec, target).some((e) => e.after !== e.before)) return null;
  const windowMs = windowOf(spec);
  const textproto = adapterFor(spec.adapter).format === 'textproto';
  return {
    rollout: r,
    due: new Date(Date.parse(r.stepStartedAt) + windowMs).toISOString(),
    what: `${formatRef(champ!)} ${textproto ? 'unloaded' : 'scaled to 0'}`,
    windowMs,
  };
}

/** Take the old champion down (one commit). */
export async function runAfterFull(ctx: RolloutContext, owed: AfterFull): Promise<StepOutcome> {
  const r = owed.rollout;
  const spec = servingSpecOf(ctx, r.model);
  const { cand, champ } = await versionsOf(ctx, r);
  const id = newStepId();
  let adrTouched = false;
  const window = formatDuration(owed.windowMs);
  const res = await runStep(stepContext(ctx), {
    verify: async () => {
      await assertRolloutUnchanged(ctx, r);
      await assertChampionUnchanged(ctx, r.model, cand.version, `taking ${formatRef(champ!)} down`);
    },
    serving: {
      model: r.model,
      spec,
      target: targetAfter(r, spec, { candidate: cand.version, champion: champ!.version }),
    },
    adr: async (journal) => {
      adrTouched = snapshotAdr(ctx, journal, r.adr);
      if (adrTouched)
        await updateAdr(ctx.adr!, r.adr!, {
          log: [`${stamp(ctx)} ${window} after full: ${owed.what} by ${ctx.actor}`],
        });
    },
    scope: `model:${r.model}`,
    message: `mlctl: ${formatRef(cand)} after full's ${window} window: ${owed.what}`,
    step: { id, model: r.model, action: 'cleanup', version: cand.version, stage: 'after-full', rollout: r.key },
    record: async (commit) => {
      const at = ctx.clock.now().toISOString();
      if (!(await ctx.registry.updateRollout(r.id, r.revision, { lastCommit: commit ?? r.lastCommit, updatedAt: at })))
        throw rolloutMoved(r);
      await appendEvent(ctx.registry, {
        at,
        actor: ctx.actor,
        action: 'rollout.cleanup',
        model: r.model,
        subject: formatRef(cand),
        payload: { rollout: r.id, what: owed.what, previous: champ!.version, window, commit, stepId: id },
      });
    },
  });
  return {
    model: r.model,
    rollout: r.id,
    key: r.key,
    stepId: id,
    candidate: formatRef(cand),
    champion: formatRef(cand),
    action: 'cleanup',
    step: r.step,
    stage: 'full',
    state: r.state,
    commit: res.commit,
    pushed: res.pushed,
    files: res.files,
    outside: res.outside,
    adr: adrTouched ? r.adr : null,
    forced: false,
  };
}
