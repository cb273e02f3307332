import { appendEvent } from '../audit/chain.js';
import { formatRef } from '../refs.js';
import { shortHash } from '../util/text.js';
import { type RolloutContext } from './context.js';
import { recordChampionChange } from './champion.js';
import { statusBeforeRollout } from './status-before.js';
import { describeStage } from './stages.js';
import { pendingOf, type PendingPullRequest } from './pending.js';
import type { ChampionPending } from './champion-pending.js';
import { rolloutMoved } from './races.js';
import type { RolloutPatch, RolloutRecord, StepAction, VersionRecord } from '../../ports/registry.js';

/** The merge that put a step's pull request on the base branch. */
export interface Merge {
  /** The merge, squash or rebase commit on the base. */
  commit: string;
  /** When the host merged it: the serving change applies from then, so the stage's bake time starts there. */
  mergedAt: string;
}

/**
 * A pending rollout step whose pull request was merged takes effect: the registry records what the
 * commit-mode step records, with the merge commit, and the stage starts at the merge. Runs under the
 * registry write and the model's step scope. Returns what happened in words, or null when another
 * command settled it first.
 */
export async function landRolloutStep(
  ctx: RolloutContext,
  r: RolloutRecord,
  p: PendingPullRequest,
  m: Merge,
): Promise<string | null> {
  const fresh = await ctx.registry.getRollout(r.id);
  const now = fresh ? pendingOf(fresh) : null;
  if (!fresh || now?.kind !== 'pull_request' || now.stepId !== p.stepId) return null;
  const cand = (await ctx.registry.getVersionById(fresh.candidateId))!;
  if (await ctx.registry.getStep(p.stepId)) {
    // Adopted from a pulled clone's history by a command that could not reach the host (ADR 26):
    // the step is in effect already; only the pending state is left to clear.
    await update(ctx, fresh, {});
    await merged(ctx, fresh.model, formatRef(cand), p, m, fresh.id, fresh.key, false);
    return `pull request #${p.number} was merged (${shortHash(m.commit)}); the step was recorded already`;
  }
  const champ = fresh.championId === null ? null : ((await ctx.registry.getVersionById(fresh.championId)) ?? null);
  const at = ctx.clock.now().toISOString();
  const base = { at, actor: ctx.actor, model: fresh.model, subject: formatRef(cand) };
  const link = { commit: m.commit, stepId: p.stepId, pullRequest: p.number };
  const e = p.effect;
  let said: string;
  if (e.kind === 'start') {
    const first = fresh.plan[0]!;
    const full = first.stage === 'full';
    await update(ctx, fresh, {
      stepStartedAt: m.mergedAt,
      lastCommit: m.commit,
      ...(full ? { state: 'completed', endedAt: at, outcome: 'completed' } : {}),
    });
    await ctx.registry.setStatus(cand.id, 'staging', at);
    if (e.forced)
      await appendEvent(ctx.registry, {
        ...base,
        action: 'override',
        payload: { what: 'start a rollout without a passing gate run', reason: e.reason, rollout: fresh.id },
      });
    if (fresh.adr)
      await appendEvent(ctx.registry, {
        ...base,
        action: 'adr.recorded',
        payload: { adr: fresh.adr, for: 'rollout', rollout: fresh.id },
      });
    await appendEvent(ctx.registry, {
      ...base,
      action: 'rollout.start',
      payload: {
        rollout: fresh.id,
        version: cand.version,
        previousStatus: cand.status,
        champion: champ?.version ?? null,
        plan: fresh.planName,
        stages: fresh.plan.map(describeStage),
        stage: describeStage(first),
        gateRunId: e.gateRunId,
        forced: e.forced,
        reason: e.reason,
        uri: fresh.candidateUri,
        ...link,
      },
    });
    if (full) await complete(ctx, fresh, cand, champ, e.reason, e.forced, link);
    said = full ? `${formatRef(cand)} is the champion` : `rollout ${fresh.id} started at ${describeStage(first)}`;
  } else if (e.kind === 'advance') {
    const stage = fresh.plan[e.to];
    if (!stage || e.to !== fresh.step + 1) return null;
    const full = stage.stage === 'full';
    const from = describeStage(fresh.plan[fresh.step]!);
    await update(ctx, fresh, {
      step: e.to,
      stepStartedAt: m.mergedAt,
      lastCommit: m.commit,
      ...(full ? { state: 'completed', endedAt: at, outcome: 'completed' } : {}),
    });
    if (e.forced)
      await appendEvent(ctx.registry, {
        ...base,
        action: 'override',
        payload: {
          what: `leave ${from} before its bake time and checks allowed`,
          reason: e.reason,
          rollout: fresh.id,
          checks: e.checks,
        },
      });
    await appendEvent(ctx.registry, {
      ...base,
      action: 'rollout.stage',
      payload: {
        rollout: fresh.id,
        from,
        to: describeStage(stage),
        step: e.to,
        forced: e.forced,
        reason: e.reason,
        ...link,
      },
    });
    if (full) await complete(ctx, fresh, cand, champ, e.reason ?? (await startReason(ctx, fresh)), e.forced, link);
    said = full
      ? `${formatRef(cand)} is the champion (rollout ${fresh.id} completed)`
      : `now at ${describeStage(stage)}`;
  } else if (e.kind === 'abort') {
    const from = describeStage(fresh.plan[fresh.step]!);
    await update(ctx, fresh, { state: 'aborted', endedAt: at, outcome: e.why, lastCommit: m.commit });
    await ctx.registry.setStatus(cand.id, await statusBeforeRollout(ctx.registry, fresh, formatRef(cand)), at);
    await appendEvent(ctx.registry, {
      ...base,
      action: 'rollout.abort',
      payload: { rollout: fresh.id, at: from, reason: e.reason, failing: e.failing, by: e.by, ...link },
    });
    said = `rollout ${fresh.id} aborted at ${from}; all traffic back to ${champ ? formatRef(champ) : 'the champion'}`;
  } else return null;
  await merged(ctx, fresh.model, formatRef(cand), p, m, fresh.id, fresh.key);
  return `${said} (pull request #${p.number} merged as ${shortHash(m.commit)} at ${m.mergedAt})`;
}

/** A champion change outside a rollout whose pull request was merged: the champion moves now. */
export async function landChampionStep(ctx: RolloutContext, c: ChampionPending, m: Merge): Promise<string | null> {
  const e = c.pending.effect;
  if (e.kind !== 'champion') return null;
  const target = await ctx.registry.getVersion(c.model, e.version);
  if (!target) return null;
  const current = await ctx.registry.resolveAlias(c.model, 'champion');
  const from = current === undefined ? null : ((await ctx.registry.getVersion(c.model, current)) ?? null);
  const at = ctx.clock.now().toISOString();
  const base = { at, actor: ctx.actor, model: c.model, subject: formatRef(target) };
  const p = c.pending;
  if (await ctx.registry.getStep(p.stepId)) {
    await merged(ctx, c.model, formatRef(target), p, m, null, null, false);
    return `pull request #${p.number} was merged (${shortHash(m.commit)}); the step was recorded already`;
  }
  if (e.forced)
    await appendEvent(ctx.registry, {
      ...base,
      action: 'override',
      payload: { what: 'promote without a passing gate run', reason: e.reason },
    });
  if (p.adr) await appendEvent(ctx.registry, { ...base, action: 'adr.recorded', payload: { adr: p.adr, for: e.via } });
  if (e.via === 'rollback')
    await appendEvent(ctx.registry, {
      ...base,
      action: 'rollback',
      payload: {
        from: from?.version ?? null,
        to: target.version,
        reason: e.reason,
        adr: p.adr,
        commit: m.commit,
        stepId: p.stepId,
        pullRequest: p.number,
      },
    });
  if (current !== target.version)
    await recordChampionChange(ctx, {
      model: c.model,
      to: target,
      from,
      at,
      via: e.via,
      reason: e.reason,
      adr: p.adr,
      ...(e.via === 'promote' ? { gateRunId: e.gateRunId, forced: e.forced } : {}),
      commit: m.commit,
      uri: e.uri,
      stepId: p.stepId,
    });
  await merged(ctx, c.model, formatRef(target), p, m, null, null);
  return `${formatRef(target)} is the champion${from && from.id !== target.id ? ` (was ${formatRef(from)})` : ''} (pull request #${p.number} merged as ${shortHash(m.commit)} at ${m.mergedAt})`;
}

async function update(ctx: RolloutContext, r: RolloutRecord, patch: Omit<RolloutPatch, 'updatedAt' | 'pending'>) {
  const ok = await ctx.registry.updateRollout(r.id, r.revision, {
    ...patch,
    pending: null,
    updatedAt: ctx.clock.now().toISOString(),
  });
  if (!ok) throw rolloutMoved(r);
}

async function complete(
  ctx: RolloutContext,
  r: RolloutRecord,
  cand: VersionRecord,
  champ: VersionRecord | null,
  reason: string | null,
  forced: boolean,
  link: { commit: string; stepId: string; pullRequest: number },
): Promise<void> {
  const at = ctx.clock.now().toISOString();
  await appendEvent(ctx.registry, {
    at,
    actor: ctx.actor,
    action: 'rollout.complete',
    model: r.model,
    subject: formatRef(cand),
    payload: { rollout: r.id, ...link },
  });
  await recordChampionChange(ctx, {
    model: r.model,
    to: cand,
    from: champ,
    at,
    via: 'rollout',
    rollout: r.id,
    reason,
    adr: r.adr,
    gateRunId: r.gateRunId,
    forced,
    commit: link.commit,
    uri: r.candidateUri,
    stepId: link.stepId,
  });
}

/** The `step.merged` event (which also ends a champion change's pending state) and the `steps` row. */
async function merged(
  ctx: RolloutContext,
  model: string,
  subject: string,
  p: PendingPullRequest,
  m: Merge,
  rollout: number | null,
  key: string | null,
  record = true,
): Promise<void> {
  const at = ctx.clock.now().toISOString();
  const e = await appendEvent(ctx.registry, {
    at,
    actor: ctx.actor,
    action: 'step.merged',
    model,
    subject,
    payload: {
      stepId: p.stepId,
      action: p.action,
      stage: p.stage,
      number: p.number,
      url: p.url,
      rollout,
      branchCommit: p.commit,
      commit: m.commit,
      mergedAt: m.mergedAt,
    },
  });
  if (!record) return; // recorded already (adopted)
  await ctx.registry.recordStep({
    id: p.stepId,
    model,
    action: p.action as StepAction,
    rollout: key,
    stage: p.stage,
    commit: m.commit,
    seq: e.seq,
    at,
    actor: ctx.actor,
    how: 'recorded',
  });
}

/** Why the rollout was started (the champion change carries it when the last step gave none). */
async function startReason(ctx: RolloutContext, r: RolloutRecord): Promise<string | null> {
  const e = (await ctx.registry.events({ model: r.model, action: 'rollout.start', limit: 50 })).find(
    (x) => (x.payload as { rollout?: number }).rollout === r.id,
  );
  return (e?.payload as { reason?: string | null } | undefined)?.reason ?? null;
}
