import { newAdr, updateAdr } from '../adr/adr-ops.js';
import { servingSpecOf, servingUri, stamp, type CandidateChange, type RolloutContext } from './context.js';
import { formatRef } from '../refs.js';
import { gateEvidence, planText, promotionContext } from './adr-text.js';
import { ConcurrentChangeError } from '../errors.js';
import { describeStage, freezePlan, stageSlug, targetAt } from './stages.js';
import { newStepId, type StepIdentity } from './step-identity.js';
import { assertFits, sizePlan, type SizedPlan } from './replicas.js';
import type { ServingSpec } from '../config/index.js';
import type { RolloutStage, VersionRecord } from '../../ports/registry.js';
import type { TrafficTarget } from '../serving/types.js';
import type { FileJournal } from '../util/file-journal.js';

/** What starting a rollout needs, whether its first step is a commit or a pull request. */
export interface StartPrep {
  cand: VersionRecord;
  champ: VersionRecord;
  spec: ServingSpec;
  plan: SizedPlan;
  stages: RolloutStage[];
  first: RolloutStage;
  candidateUri: string;
  championUri: string;
  /** The step's id, which names the rollout in git (Mlctl-Rollout) before its first commit. */
  id: string;
  step: StepIdentity;
  serving: { model: string; spec: ServingSpec; target: TrafficTarget };
}

/**
 * The plan (sized here when promote did not), the served URIs, the step's identity and the
 * serving files' first stage. `sized`: the plan as promote sized it (replicas per stage).
 */
export async function prepareStart(
  ctx: RolloutContext,
  change: CandidateChange,
  sized?: SizedPlan,
): Promise<StartPrep> {
  const cand = change.candidate;
  const champ = change.champion;
  if (!champ) throw new Error('a rollout needs a champion'); // first versions are promoted directly
  const spec = servingSpecOf(ctx, cand.model);
  const plan =
    sized ??
    (await sizePlan(ctx, spec, cand.model, freezePlan(ctx.rollout.plans[spec.plan]!), {
      candidate: cand,
      champion: champ,
    }));
  const stages = plan.stages;
  const first = stages[0]!;
  assertFits(cand.model, spec, first);
  const candidateUri = await servingUri(ctx, cand);
  const championUri = await servingUri(ctx, champ, true);
  const id = newStepId();
  return {
    cand,
    champ,
    spec,
    plan,
    stages,
    first,
    candidateUri,
    championUri,
    id,
    step: {
      id,
      model: cand.model,
      action: 'start',
      version: cand.version,
      stage: stageSlug(first),
      rollout: id,
      plan: spec.plan,
    },
    serving: {
      model: cand.model,
      spec,
      target: targetAt(
        { model: cand.model, plan: stages, candidateUri, championUri },
        { candidate: cand.version, champion: champ.version },
        0,
      ),
    },
  };
}

/** Refuse a second rollout of the model (checked inside the step, against the registry as it is then). */
export async function assertNoOpenRollout(ctx: RolloutContext, model: string): Promise<void> {
  const open = await ctx.registry.openRollout(model);
  if (open)
    throw new ConcurrentChangeError(
      `${model} already has a rollout in progress (rollout ${open.id}, ${formatRef((await ctx.registry.getVersionById(open.candidateId))!)}); see mlctl rollout status ${model}`,
      'open-rollout',
    );
}

/**
 * The rollout's ADR (Proposed) with its first log line; the file name, or null without ADRs.
 * `via`: how each stage lands, a commit or a pull request (in effect once merged).
 */
export async function writeStartAdr(
  ctx: RolloutContext,
  change: CandidateChange,
  p: StartPrep,
  journal: FileJournal,
  via: 'commit' | 'pull request',
): Promise<string | null> {
  if (!ctx.adr) return null;
  const { cand, champ, spec, stages, candidateUri } = p;
  const a = await newAdr(ctx.adr, {
    title: `Promote ${formatRef(cand)} to production`,
    status: 'proposed',
    touch: (f) => journal.snapshot(f),
    sections: {
      context: promotionContext(change),
      decision: `Roll ${formatRef(cand)} out in stages with the ${spec.plan} plan on ${spec.adapter} (started by ${ctx.actor}; served from ${candidateUri}):\n\n${planText(stages)}\n\n${await gateEvidence(ctx, change)}`,
      consequences: `Each stage is one ${via} of ${spec.files.join(', ')}${via === 'commit' ? '' : ', in effect once merged'}; \`mlctl rollback ${cand.model}\` aborts the rollout and sends all traffic back to ${formatRef(champ)}.`,
    },
  });
  journal.created(a.path);
  const by = `started by ${ctx.actor}${via === 'commit' ? '' : ' (pull request)'}`;
  await updateAdr(ctx.adr, a.file, { log: [`${stamp(ctx)} ${describeStage(p.first)} — ${by}`] });
  return a.file;
}
