import { dirname } from 'node:path';
import { formatRef } from '../refs.js';
import { shortHash } from '../util/text.js';
import { servingSpecOf, type RolloutContext } from './context.js';
import { pendingOf, type PendingPullRequest } from './pending.js';
import { championPending, type ChampionPending } from './champion-pending.js';
import { landChampionStep, landRolloutStep } from './pr-land.js';
import { cancelChampionStep, cancelRolloutStep, describePending } from './pr-cancel.js';
import { servingPath } from './pr-step.js';
import { describeStage } from './stages.js';
import type { GitOps } from '../../ports/gitops.js';
import type { PullRequest } from '../../ports/pull-requests.js';
import type { RolloutRecord } from '../../ports/registry.js';

/** What looking at one pending step's pull request found and did. */
export interface SettledStep {
  model: string;
  /** The rollout's row id; null for a champion change outside a rollout. */
  rollout: number | null;
  /** The rollout's candidate, or the version a champion change serves. */
  subject: string;
  action: string;
  /** The step in words ("canary 10%", "abort"). */
  label: string;
  pull_request: { number: number; url: string; state: 'open' | 'merged' | 'closed' };
  /**
   * merged: the step took effect; cancelled: closed without merging; waiting: still open;
   * rebased: still open, its branch moved onto the base that moved on; conflict: it cannot be
   * rebased (a person must resolve it).
   */
  outcome: 'merged' | 'cancelled' | 'waiting' | 'rebased' | 'conflict';
  detail: string;
  /** The merge commit (merged) or the rebased branch's head (rebased). */
  commit: string | null;
  conflicts?: string[];
}

type Item =
  | { kind: 'rollout'; model: string; r: RolloutRecord; p: PendingPullRequest }
  | { kind: 'champion'; model: string; c: ChampionPending; p: PendingPullRequest };

/**
 * Before promote, rollback, tick and status act (ADR 25): look at each pending step's pull request
 * and settle it — merged: the step takes effect with the merge commit, its stage starting at the
 * merge; closed: the step is cancelled, the rollout stays; open: nothing to do, except that a branch
 * whose base moved on is rebased (never forced: a conflict is reported and left to a person).
 * Nothing pending: nothing is read from the host. `tolerant` (rollout status): a pull request that
 * cannot be looked at is a warning, not an error.
 */
export async function settlePending(
  ctx: RolloutContext,
  model?: string,
  o: { tolerant?: boolean } = {},
): Promise<SettledStep[]> {
  const items: Item[] = [];
  for (const r of await ctx.registry.rollouts({ model, open: true })) {
    const p = pendingOf(r);
    if (p?.kind === 'pull_request') items.push({ kind: 'rollout', model: r.model, r, p });
  }
  const models = model ? [model] : Object.keys(ctx.rollout.serving).sort();
  for (const m of models) {
    const c = await championPending(ctx.registry, m);
    if (c) items.push({ kind: 'champion', model: m, c, p: c.pending });
  }
  const out: SettledStep[] = [];
  for (const item of items) {
    try {
      out.push(await settleOne(ctx, item));
    } catch (err) {
      if (!o.tolerant) throw err;
      ctx.warn(`${item.model}: could not look at pull request #${item.p.number} (${(err as Error).message})`);
      out.push({
        ...(await entryBase(ctx, item)),
        outcome: 'waiting',
        detail: `pull request #${item.p.number} could not be looked at`,
        commit: null,
      });
    }
  }
  return out;
}

async function settleOne(ctx: RolloutContext, item: Item): Promise<SettledStep> {
  const pr = ctx.pullRequests;
  if (!pr)
    throw new Error(
      `${describePending(item.p)} of ${item.model} waits for pull request #${item.p.number}, and this command has no pull-request host`,
    );
  const git = await gitopsOf(ctx, item.model);
  const host = await pr.host(git);
  const got = await host.get(item.p.number);
  const base = await entryBase(ctx, item, got);
  const scope = `model:${item.model}`;
  if (got.state === 'merged') {
    const m = { commit: got.mergeCommit, mergedAt: got.mergedAt };
    const said = await ctx.registry.write(async () => {
      await ctx.registry.exclusive(scope);
      return item.kind === 'rollout'
        ? await landRolloutStep(ctx, item.r, item.p, m)
        : (await championPending(ctx.registry, item.model))?.pending.stepId === item.p.stepId
          ? await landChampionStep(ctx, item.c, m)
          : null;
    });
    return {
      ...base,
      outcome: 'merged',
      detail: said ?? `pull request #${item.p.number} was merged; another command recorded it`,
      commit: got.mergeCommit,
    };
  }
  if (got.state === 'closed') {
    const why = `pull request #${item.p.number} was closed without merging`;
    await ctx.registry.write(async () => {
      await ctx.registry.exclusive(scope);
      if (item.kind === 'rollout') return await cancelRolloutStep(ctx, item.r, item.p, why);
      if ((await championPending(ctx.registry, item.model))?.pending.stepId === item.p.stepId)
        await cancelChampionStep(ctx, item.model, item.c.version, item.p, why);
      return true;
    });
    const stays =
      item.kind === 'champion'
        ? 'the champion stays as it is'
        : item.p.action === 'start'
          ? 'the rollout never started and is closed'
          : `the rollout stays at ${describeStage(item.r.plan[item.r.step]!)}`;
    return {
      ...base,
      outcome: 'cancelled',
      detail: `${why}: ${describePending(item.p)} was cancelled; ${stays}`,
      commit: null,
    };
  }
  return await keepUpToDate(ctx, item, git, base);
}

/**
 * An open pull request whose base moved on: its branch is rebased onto the base in a worktree of
 * its own and pushed with a lease (a reviewer's push to the branch is never overwritten), so what
 * the reviewers see is exactly what lands. A conflict is reported with its files, never resolved.
 */
async function keepUpToDate(
  ctx: RolloutContext,
  item: Item,
  git: GitOps,
  base: Omit<SettledStep, 'outcome' | 'detail' | 'commit'>,
): Promise<SettledStep> {
  const { remote } = ctx.step.git;
  const p = item.p;
  const waiting = `${describePending(p)} is waiting for review of pull request #${p.number} (${p.url})`;
  const r = await git.rebaseBranch({ remote, base: p.base, branch: p.branch });
  if (!r.ok)
    return {
      ...base,
      outcome: 'conflict',
      detail: `pull request #${p.number} conflicts with ${p.base} in ${r.conflicts.join(', ')} (changed on ${p.base} since the step was written); resolve it on branch ${p.branch}, or close the pull request and run mlctl again — mlctl does not force it`,
      commit: null,
      conflicts: r.conflicts,
    };
  if (!r.moved) return { ...base, outcome: 'waiting', detail: waiting, commit: null };
  const pushed = await git.pushBranch(remote, p.branch, { lease: r.oldSha });
  await git.deleteBranch(p.branch).catch(() => undefined);
  if (!pushed.ok)
    return {
      ...base,
      outcome: 'waiting',
      detail: `${waiting}; its branch could not be brought up to date with ${p.base} (${pushed.reason}), and was left as it is`,
      commit: null,
    };
  if (item.kind === 'rollout')
    await ctx.registry.write(async () => {
      await ctx.registry.exclusive(`model:${item.model}`);
      const fresh = await ctx.registry.getRollout(item.r.id);
      const now = fresh ? pendingOf(fresh) : null;
      if (fresh && now?.kind === 'pull_request' && now.stepId === p.stepId)
        await ctx.registry.updateRollout(fresh.id, fresh.revision, {
          pending: { ...now, commit: r.sha },
          updatedAt: ctx.clock.now().toISOString(),
        });
    });
  return {
    ...base,
    outcome: 'rebased',
    detail: `${waiting}; ${p.base} moved on, so its branch was rebased onto it (${shortHash(r.oldSha)} → ${shortHash(r.sha)})`,
    commit: r.sha,
  };
}

async function entryBase(
  ctx: RolloutContext,
  item: Item,
  got?: PullRequest,
): Promise<Omit<SettledStep, 'outcome' | 'detail' | 'commit'>> {
  const cand = item.kind === 'rollout' ? await ctx.registry.getVersionById(item.r.candidateId) : undefined;
  return {
    model: item.model,
    rollout: item.kind === 'rollout' ? item.r.id : null,
    subject: cand ? formatRef(cand) : item.kind === 'champion' ? `${item.model}@${item.c.version}` : item.model,
    action: item.p.action,
    label: item.p.label,
    pull_request: { number: item.p.number, url: item.p.url, state: got?.state ?? 'open' },
  };
}

/** The GitOps clone holding the model's serving files (its remote names the host's repository). */
export async function gitopsOf(ctx: RolloutContext, model: string): Promise<GitOps> {
  const spec = servingSpecOf(ctx, model);
  return await ctx.step.openGit(dirname(servingPath(ctx.step.root, spec.files[0]!)));
}
