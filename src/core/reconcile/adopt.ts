import { basename } from 'node:path';
import { appendEvent } from '../audit/chain.js';
import { formatRef } from '../refs.js';
import { shortHash } from '../util/text.js';
import { servingUri, type RolloutContext } from '../rollout/context.js';
import { recordChampionChange } from '../rollout/champion.js';
import { statusBeforeRollout } from '../rollout/status-before.js';
import { describeStage, freezePlan, stageSlug } from '../rollout/stages.js';
import { recordedStep } from '../rollout/step.js';
import { stageStart } from '../rollout/clock.js';
import type { StepIdentity } from '../rollout/step-identity.js';
import type { StepJournalData } from '../rollout/step-journal.js';
import type { RolloutRecord, VersionRecord } from '../../ports/registry.js';

export interface Adoption {
  step: StepIdentity;
  commit: string;
  published: boolean;
  journal: StepJournalData | null;
}

/** Why a commit cannot be adopted: the registry is not where that step started from. */
export class NotAdoptable extends Error {}

/**
 * Record a step whose commit landed but whose process died before recording it (ADR 26): the
 * registry is brought to the state the commit expresses, and a `step.adopt` event says so. Runs
 * inside registry.write(), holding the model's step scope. A stage entered this way starts now
 * (its bake time counts from the adoption, never from the lost original). Throws NotAdoptable when
 * the registry is not where the step started from.
 */
export async function adoptStep(ctx: RolloutContext, a: Adoption): Promise<string> {
  const s = a.step;
  const at = ctx.clock.now().toISOString();
  const start = await stageStart(ctx);
  const open = await ctx.registry.openRollout(s.model);
  const version = await ctx.registry.getVersion(s.model, s.version);
  if (!version) throw new NotAdoptable(`${s.model}@${s.version} is not in the registry`);
  let payload: Record<string, unknown>;
  if (s.action === 'start') payload = await adoptStart(ctx, a, version, open, at, start);
  else if (s.action === 'promote' || s.action === 'rollback') payload = await adoptChampion(ctx, a, version, open, at);
  else if (s.action === 'label' || s.action === 'cleanup') payload = await adoptFollowUp(ctx, a, at, start);
  else payload = await adoptRolloutStep(ctx, a, version, open, at, start);
  const e = await appendEvent(ctx.registry, {
    at,
    actor: ctx.actor,
    action: 'step.adopt',
    model: s.model,
    subject: formatRef(version),
    payload: {
      stepId: s.id,
      action: s.action,
      stage: s.stage,
      commit: a.commit,
      published: a.published,
      journal: a.journal !== null,
      madeBy: a.journal?.actor ?? null,
      ...payload,
    },
  });
  await ctx.registry.recordStep({
    ...recordedStep(s),
    commit: a.commit,
    seq: e.seq,
    at,
    actor: ctx.actor,
    how: 'adopted',
  });
  return `adopted ${shortHash(a.commit)} (step ${s.id}: ${s.action} ${formatRef(version)}${s.stage && s.stage !== s.action ? ` ${s.stage}` : ''}), which its process committed${a.published ? ' and pushed' : ''} but did not record`;
}

async function adoptStart(
  ctx: RolloutContext,
  a: Adoption,
  cand: VersionRecord,
  open: RolloutRecord | undefined,
  at: string,
  start: string,
): Promise<Record<string, unknown>> {
  const s = a.step;
  if (open) throw new NotAdoptable(`${s.model} has another rollout open (rollout ${open.id})`);
  const plan = s.plan !== undefined ? ctx.rollout.plans[s.plan] : undefined;
  if (!plan) throw new NotAdoptable(`its plan ${s.plan ?? '(unnamed)'} is not in mlctl.yaml`);
  const stages = freezePlan(plan);
  if (stageSlug(stages[0]!) !== s.stage) throw new NotAdoptable(`plan ${s.plan} no longer starts with ${s.stage}`);
  if (stages[0]!.stage === 'full') throw new NotAdoptable(`plan ${s.plan} is only a full stage`);
  const championVersion = await ctx.registry.resolveAlias(s.model, 'champion');
  const champ = championVersion === undefined ? undefined : await ctx.registry.getVersion(s.model, championVersion);
  if (!champ) throw new NotAdoptable(`${s.model} has no champion to roll out against`);
  const row = await ctx.registry.insertRollout({
    key: s.rollout ?? s.id,
    model: s.model,
    candidateId: cand.id,
    championId: champ.id,
    planName: s.plan!,
    plan: stages,
    step: 0,
    state: 'active',
    stepStartedAt: start,
    candidateUri: await servingUri(ctx, cand, true),
    championUri: await servingUri(ctx, champ, true),
    gateRunId: null,
    adr: createdAdr(a.journal),
    lastCommit: a.commit,
    startedAt: at,
    startedBy: a.journal?.actor ?? ctx.actor,
  });
  await ctx.registry.setStatus(cand.id, 'staging', at);
  return { rollout: row.id, key: row.key, previousStatus: cand.status, champion: champ.version, plan: s.plan };
}

async function adoptRolloutStep(
  ctx: RolloutContext,
  a: Adoption,
  cand: VersionRecord,
  open: RolloutRecord | undefined,
  at: string,
  start: string,
): Promise<Record<string, unknown>> {
  const s = a.step;
  if (!open || open.key !== s.rollout)
    throw new NotAdoptable(`its rollout (${s.rollout ?? '?'}) is not the open rollout of ${s.model}`);
  if (open.candidateId !== cand.id) throw new NotAdoptable(`the open rollout is not of ${formatRef(cand)}`);
  const from = describeStage(open.plan[open.step]!);
  if (s.action === 'abort') {
    const ok = await ctx.registry.updateRollout(open.id, open.revision, {
      state: 'aborted',
      endedAt: at,
      updatedAt: at,
      outcome: `aborted at ${from} (step ${s.id}, adopted after its process was interrupted)`,
      lastCommit: a.commit,
    });
    if (!ok) throw new NotAdoptable('the rollout moved meanwhile');
    await ctx.registry.setStatus(cand.id, await statusBeforeRollout(ctx.registry, open, formatRef(cand)), at);
    return { rollout: open.id, from };
  }
  const to = open.step + 1;
  const next = open.plan[to];
  const full = next?.stage === 'full';
  if (!next || stageSlug(next) !== s.stage || full !== (s.action === 'complete'))
    throw new NotAdoptable(`the rollout is at ${from}, and ${s.stage} is not its next stage`);
  const ok = await ctx.registry.updateRollout(open.id, open.revision, {
    step: to,
    stepStartedAt: start,
    lastCommit: a.commit,
    updatedAt: at,
    ...(full ? { state: 'completed', endedAt: at, outcome: 'completed' } : {}),
  });
  if (!ok) throw new NotAdoptable('the rollout moved meanwhile');
  if (full) {
    const champ = open.championId === null ? null : ((await ctx.registry.getVersionById(open.championId)) ?? null);
    await recordChampionChange(ctx, {
      model: s.model,
      to: cand,
      from: champ,
      at,
      via: 'rollout',
      rollout: open.id,
      reason: `step ${s.id} adopted after its process was interrupted`,
      adr: open.adr,
      gateRunId: open.gateRunId,
      forced: false,
      commit: a.commit,
      uri: open.candidateUri,
      stepId: s.id,
      adopted: true,
    });
  }
  return { rollout: open.id, from, to: describeStage(next) };
}

/**
 * A label commit (two-push rule: its rollout's pending labels are written, the stage's bake time
 * starts at the adoption) or the step after full's window (nothing to record but the commit).
 */
async function adoptFollowUp(
  ctx: RolloutContext,
  a: Adoption,
  at: string,
  start: string,
): Promise<Record<string, unknown>> {
  const s = a.step;
  if (s.rollout === null) return {}; // a champion's labels (champion-labels.ts): nothing else to record
  const r = (await ctx.registry.rollouts({ model: s.model, limit: 5 })).find((x) => x.key === s.rollout);
  if (!r) throw new NotAdoptable(`its rollout (${s.rollout ?? '?'}) is not one of ${s.model}'s latest`);
  const labelled = s.action === 'label' && r.pending !== null;
  const ok = await ctx.registry.updateRollout(r.id, r.revision, {
    ...(labelled ? { pending: null, stepStartedAt: start } : {}),
    lastCommit: a.commit,
    updatedAt: at,
  });
  if (!ok) throw new NotAdoptable('the rollout moved meanwhile');
  return { rollout: r.id, ...(labelled ? { labels: (r.pending as { labels?: unknown }).labels ?? null } : {}) };
}

async function adoptChampion(
  ctx: RolloutContext,
  a: Adoption,
  target: VersionRecord,
  open: RolloutRecord | undefined,
  at: string,
): Promise<Record<string, unknown>> {
  const s = a.step;
  if (open) throw new NotAdoptable(`${s.model} has a rollout open (rollout ${open.id})`);
  const current = await ctx.registry.resolveAlias(s.model, 'champion');
  if (current === target.version) return { champion: target.version, already: true };
  const from = current === undefined ? null : ((await ctx.registry.getVersion(s.model, current)) ?? null);
  const spec = ctx.rollout.serving[s.model];
  await recordChampionChange(ctx, {
    model: s.model,
    to: target,
    from,
    at,
    via: s.action === 'rollback' ? 'rollback' : 'promote',
    reason: `step ${s.id} adopted after its process was interrupted`,
    adr: createdAdr(a.journal),
    commit: a.commit,
    uri: spec ? await servingUri(ctx, target, true) : null,
    stepId: s.id,
    adopted: true,
  });
  return { champion: target.version, previous: from?.version ?? null };
}

/** The ADR the step created (a new NNNN-title.md file in its journal), if any. */
function createdAdr(j: StepJournalData | null): string | null {
  const f = j?.files.find((x) => x.before === null && /^\d{4}-.+\.md$/.test(basename(x.path)));
  return f ? basename(f.path) : null;
}
