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

export interface PreviewStage {
  index: number;
  stage: string;
  minDuration: string | null;
  checks: string[];
  auto: boolean;
  current: boolean;
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
  /** Planning figures of the plan's compare checks (compare-plan.ts); empty without any. */
  compareChecks: ComparePlan[];
}

/** Dry run: the plan's stages and a unified diff of each serving file at the next stage. Writes nothing. */
export async function previewRollout(
  ctx: RolloutContext,
  ref: string,
  opts: { baselineRate?: number } = {},
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
  const stages: RolloutStage[] = inThis ? inThis.plan : freezePlan(ctx.rollout.plans[spec.plan]!);
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
  const diffs =
    open && !inThis
      ? []
      : renderServing(ctx.step.root, cand.model, spec, target).map((e) => ({
          file: e.file,
          diff: createTwoFilesPatch(`a/${e.file}`, `b/${e.file}`, e.before, e.after, undefined, undefined, {
            context: 3,
          }),
        }));
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
    })),
    next: open && !inThis ? null : describeStage(stages[nextIndex]!),
    diffs,
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
