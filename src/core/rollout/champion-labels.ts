import { appendEvent } from '../audit/chain.js';
import { formatRef } from '../refs.js';
import { assertChampionUnchanged } from './races.js';
import { servingUri, stepContext, type RolloutContext } from './context.js';
import { allTrafficTo } from './stages.js';
import { newStepId } from './step-identity.js';
import { runStep } from './step.js';
import { renderServing } from './serving-files.js';
import { labelReadiness, type LabelReadiness } from './label-ready.js';
import { labelList } from './label-pending.js';
import { readTfServingState } from '../serving/tfserving.js';
import type { PendingLabel } from './pending.js';
import type { VersionRecord } from '../../ports/registry.js';

/*
 * The two-push rule outside a rollout. A direct promotion or a rollback to a version the server no
 * longer loads (after full's window) loads it and leaves `stable` on the old version; there is no
 * rollout row to hold that, so the next `rollout tick` finds it from the files: the model's last
 * step was a promote or rollback, and writing the champion's target again would move its labels.
 */

export interface ChampionLabels {
  champion: VersionRecord;
  uri: string;
  pending: PendingLabel;
}

/** The labels a champion change left for a second commit (null: none). */
export async function championLabelsOwed(ctx: RolloutContext, model: string): Promise<ChampionLabels | null> {
  const spec = ctx.rollout.serving[model];
  if (spec?.adapter !== 'tfserving') return null;
  const last = await ctx.registry.lastStep({ model, committed: true });
  if (!last || (last.action !== 'promote' && last.action !== 'rollback')) return null;
  const version = await ctx.registry.resolveAlias(model, 'champion');
  if (version === undefined) return null;
  const champion = (await ctx.registry.getVersion(model, version))!;
  const uri = await servingUri(ctx, champion, true);
  // Applying the champion's target again completes it in this commit (nothing would still wait).
  const edits = renderServing(ctx.step.root, model, spec, allTrafficTo(model, { version, uri }));
  if (!edits.some((e) => e.after !== e.before) || edits.some((e) => e.pendingLabels?.length)) return null;
  // Labels move, and the version they leave may go; nothing is loaded (a hand edit is not this step's business).
  const labelsOnly = edits
    .filter((e) => spec.files.includes(e.file))
    .every((e) => {
      const [a, b] = [e.before, e.after].map((t) => readTfServingState(t, e.file, model));
      const kept = (b!.loaded ?? []).every((v) => (a!.loaded ?? []).includes(v));
      return kept && String([...a!.labels]) !== String([...b!.labels]);
    });
  if (!labelsOnly) return null;
  const pending: PendingLabel = {
    kind: 'label',
    stage: 'full',
    action: last.action,
    since: last.at,
    loadCommit: last.commit,
    labels: { stable: version },
  };
  return { champion, uri, pending };
}

/** Whether the champion's version is loaded (status_url, else label_delay since the step). */
export async function championLabelsReady(ctx: RolloutContext, owed: ChampionLabels): Promise<LabelReadiness> {
  return labelReadiness(
    { now: ctx.clock.now(), fetch: ctx.checks.fetch },
    owed.champion.model,
    ctx.rollout.serving[owed.champion.model]!,
    owed.pending,
  );
}

/** The second commit: the champion's labels. */
export async function writeChampionLabels(
  ctx: RolloutContext,
  owed: ChampionLabels,
  ready: LabelReadiness,
): Promise<string | null> {
  const { champion, uri, pending } = owed;
  const model = champion.model;
  const id = newStepId();
  const r = await runStep(stepContext(ctx), {
    verify: async () => await assertChampionUnchanged(ctx, model, champion.version, 'writing its labels'),
    serving: {
      model,
      spec: ctx.rollout.serving[model]!,
      target: allTrafficTo(model, { version: champion.version, uri }),
    },
    adr: async () => {},
    scope: `model:${model}`,
    message: `mlctl: ${formatRef(champion)} full: labels ${labelList(pending)}`,
    step: { id, model, action: 'label', version: champion.version, stage: 'full', rollout: null },
    record: async (commit) => {
      await appendEvent(ctx.registry, {
        at: ctx.clock.now().toISOString(),
        actor: ctx.actor,
        action: 'serving.label',
        model,
        subject: formatRef(champion),
        payload: {
          labels: pending.labels,
          after: pending.action,
          loadCommit: pending.loadCommit,
          ready: ready.detail,
          commit,
          stepId: id,
        },
      });
    },
  });
  return r.commit;
}
