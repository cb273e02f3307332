import { createTwoFilesPatch } from 'diff';
import { NotFoundError } from '../errors.js';
import { resolveRef } from '../registry/resolve.js';
import { modelFolderKey } from '../artifacts/materialize.js';
import { type RolloutContext } from './context.js';
import { formatRef } from '../refs.js';
import { renderServing } from './serving-files.js';
import { allTrafficTo, describeStage, formatDuration, freezePlan, targetAt } from './stages.js';
import { planCompareChecks, type ComparePlan } from './compare-plan.js';
import type { RolloutStage } from '../../ports/registry.js';
import { overMaxReplicas } from '../capacity/per-stage.js';
import { assumedWarnings, scaledDownReplicas, sizePlan } from './replicas.js';
import { windowOf } from './after-full.js';
import type { ServingEdit } from './serving-files.js';

export interface PreviewStage {
  index: number;
  stage: string;
  minDuration: string | null;
  checks: string[];
  auto: boolean;
  current: boolean;
  /** Replicas at this stage (serving.<model>.capacity), and whether the total is above max_replicas. */
  replicas: { candidate: number; champion: number; total: number; overMax: boolean } | null;
}

export interface RolloutPreview {
  model: string;
  candidate: string;
  champion: string | null;
  plan: string;
  adapter: string;
  stages: PreviewStage[];
  /** The stage the next promote would enter, and the file changes it would make. */
  next: string | null;
  diffs: Array<{ file: string; diff: string }>;
  /**
   * Two-push rule: the next stage loads a version, so its labels (and the router's traffic split)
   * follow in a second commit, written once the version is loaded. null: one commit does it all.
   */
  then: { labels: Record<string, number>; diffs: Array<{ file: string; diff: string }> } | null;
  /** After full's window: the old champion's replicas go to 0 (sized rollouts only). */
  scaleDown: { candidate: number; champion: number; after: string } | null;
  warnings: string[];
  /** Planning figures of the plan's compare checks (compare-plan.ts); empty without any. */
  compareChecks: ComparePlan[];
}

const patch = (edits: ServingEdit[], before: (e: ServingEdit) => string) =>
  edits.map((e) => ({
    file: e.file,
    diff: createTwoFilesPatch(`a/${e.file}`, `b/${e.file}`, before(e), e.after, undefined, undefined, { context: 3 }),
  }));

/** Dry run: the plan's stages and a unified diff of each serving file at the next stage. Writes nothing. */
export async function previewRollout(
  ctx: RolloutContext,
  ref: string,
  opts: { assumeQpsPerReplica?: number; baselineRate?: number } = {},
): Promise<RolloutPreview> {
  const cand = await resolveRef(ctx.registry, ref);
  const spec = ctx.rollout.serving[cand.model];
  if (!spec)
    throw new NotFoundError(
      `${cand.model} has no serving target (serving.${cand.model} in mlctl.yaml); mlctl promote would make ${formatRef(cand)} champion directly`,
    );
  const champVersion = await ctx.registry.resolveAlias(cand.model, 'champion');
  const champ = champVersion === undefined ? null : (await ctx.registry.getVersion(cand.model, champVersion))!;
  const open = await ctx.registry.openRollout(cand.model);
  const inThis = open && open.candidateId === cand.id ? open : null;
  const sized = inThis
    ? null
    : await sizePlan(
        ctx,
        spec,
        cand.model,
        freezePlan(ctx.rollout.plans[spec.plan]!),
        { candidate: cand, champion: champ },
        opts.assumeQpsPerReplica,
      );
  const stages: RolloutStage[] = inThis ? inThis.plan : sized!.stages;
  // Without a champion the first version goes straight to full.
  const nextIndex = !champ ? stages.length - 1 : inThis ? inThis.step + 1 : 0;
  const store = await ctx.store();
  // The folder a version is (or would be) materialized at; nothing is copied by a dry run.
  const uriOf = (v: { model: string; version: number }) =>
    inThis && v.version === cand.version
      ? inThis.candidateUri
      : inThis && champ && v.version === champ.version
        ? (inThis.championUri ?? '')
        : store.uriOf(modelFolderKey(v.model, v.version));
  const target = champ
    ? targetAt(
        { model: cand.model, plan: stages, candidateUri: uriOf(cand), championUri: uriOf(champ) },
        { candidate: cand.version, champion: champ.version },
        nextIndex,
      )
    : allTrafficTo(cand.model, { version: cand.version, uri: uriOf(cand) });
  const edits = open && !inThis ? [] : renderServing(ctx.step.root, cand.model, spec, target);
  const diffs = patch(edits, (e) => e.before);
  const labels: Record<string, number> = {};
  for (const e of edits) for (const l of e.pendingLabels ?? []) labels[l.label] = l.version;
  // The second commit, as the same target applied to the files the first one leaves.
  const then = Object.keys(labels).length
    ? {
        labels,
        diffs: patch(
          renderServing(ctx.step.root, cand.model, spec, target, new Map(edits.map((e) => [e.path, e.after]))),
          (e) => e.before,
        ),
      }
    : null;
  const max = spec.capacity?.maxReplicas;
  const down = scaledDownReplicas(stages);
  return {
    model: cand.model,
    candidate: formatRef(cand),
    champion: champ ? formatRef(champ) : null,
    plan: spec.plan,
    adapter: spec.adapter,
    stages: stages.map((s, i) => ({
      index: i + 1,
      stage: describeStage(s),
      minDuration: s.minDurationMs ? formatDuration(s.minDurationMs) : null,
      checks: s.checks,
      auto: s.auto,
      current: !!inThis && inThis.step === i,
      replicas: s.replicas
        ? {
            ...s.replicas,
            total: s.replicas.candidate + s.replicas.champion,
            overMax: !!overMaxReplicas(s.replicas, max),
          }
        : null,
    })),
    next: open && !inThis ? null : describeStage(stages[nextIndex]!),
    diffs,
    then,
    scaleDown:
      down && champ ? { candidate: down.candidate!, champion: 0, after: formatDuration(windowOf(spec)) } : null,
    warnings: [
      ...assumedWarnings(cand.model, sized?.sizing ?? null),
      ...stages
        .filter((s) => s.replicas && overMaxReplicas(s.replicas, max))
        .map(
          (s) =>
            `${describeStage(s)} needs ${s.replicas!.candidate + s.replicas!.champion} replicas (${s.replicas!.candidate} candidate + ${s.replicas!.champion} champion), above max_replicas ${max}: promote would refuse this stage`,
        ),
    ],
    compareChecks: await planCompareChecks(
      ctx,
      cand.model,
      { candidate: cand.version, champion: champ?.version ?? null },
      stages,
      inThis ? inThis.step : null,
      opts.baselineRate,
    ),
  };
}
