import { ConcurrentChangeError, StorageError } from '../errors.js';
import { type RolloutContext } from './context.js';
import { formatRef } from '../refs.js';
import { planAdvance } from './advance.js';
import { pendingOf } from './pending.js';
import { settlePending, type SettledStep } from './settle-pending.js';
import { abortStep, advanceStep, isPullRequestOutcome } from './step-mode.js';
import { blocker } from './blocker.js';
import { evaluateStage } from './evaluate.js';
import { describeStage } from './stages.js';
import { reconcile } from '../reconcile/reconcile.js';
import { checkClock } from './clock.js';
import { onStageTimeout, stageTimeout } from './stage-timeout.js';
import type { HealthCheckResult } from './health-checks.js';
import { labelsReady, settleLabels } from './label-step.js';
import { labelList, pendingLabelOf } from './label-pending.js';
import { owedAfterFull, runAfterFull } from './after-full.js';
import {
  championLabelsOwed,
  championLabelsReady,
  writeChampionLabels,
  type ChampionLabels,
} from './champion-labels.js';
import { formatDuration } from './stages.js';
import type { PendingLabel } from './pending.js';
import type { RolloutRecord } from '../../ports/registry.js';

export interface TickEntry {
  model: string;
  rollout: number;
  candidate: string;
  stage: string;
  checks: HealthCheckResult[];
  action:
    | 'advanced'
    | 'completed'
    | 'aborted'
    | 'waiting'
    | 'paused'
    | 'blocked'
    | 'conflict'
    // Pull-request mode (ADR 25): a step's pull request opened, merged (in effect), closed (cancelled), or still open.
    | 'opened'
    | 'merged'
    | 'cancelled'
    | 'pending'
    // A pending label commit written (two-push rule); the step after full's window.
    | 'labelled'
    | 'cleaned-up';
  detail: string;
  commit: string | null;
  /** The pull request of a step opened, settled or waiting in this tick. */
  pull_request?: { number: number; url: string; state: 'open' | 'merged' | 'closed' };
  /** Something the tick could not ask (a model server's status API): exit 3. */
  error?: string;
}

export interface TickReport {
  entries: TickEntry[];
  /**
   * Why the tick did not fully succeed: a check that could not run at all is an infrastructure
   * problem (`storage`, exit 3); an undecided one is `inconclusive` (exit 5). Null when every check decided.
   */
  problem: { outcome: 'storage' | 'inconclusive'; message: string } | null;
}

/**
 * One pass of automation over every open rollout: a failing check aborts; an undecided check or
 * bake time holds; a served stage advances only into a plan step marked `auto: true`.
 * Idempotent: a second tick right after the first finds nothing new to do.
 */
export async function tick(ctx: RolloutContext, opts: { model?: string }): Promise<TickReport> {
  const entries = await tickEntries(ctx, opts);
  const listed = (status: HealthCheckResult['status']) =>
    entries.flatMap((e) =>
      e.checks.filter((c) => c.status === status).map((c) => `${e.model}: ${c.name}: ${c.detail}`),
    );
  const broken = [...listed('error'), ...entries.flatMap((e) => (e.error ? [`${e.model}: ${e.error}`] : []))];
  const undecided = listed('inconclusive');
  const all = [...broken, ...undecided].join('; ');
  const problem = broken.length
    ? { outcome: 'storage' as const, message: `could not evaluate: ${all}` }
    : undecided.length
      ? { outcome: 'inconclusive' as const, message: `inconclusive: ${all}` }
      : null;
  return { entries, problem };
}

async function tickEntries(ctx: RolloutContext, opts: { model?: string }): Promise<TickEntry[]> {
  const before = (await ctx.registry.lastEvent())?.seq ?? 0;
  // Pull requests first: a merged step takes effect before this tick looks at its stage.
  const settled = await settlePending(ctx, opts.model);
  for (const s of settled) if (s.outcome === 'conflict') ctx.warn(`${s.model}: ${s.detail}`);
  await reconcile(ctx, opts.model);
  await checkClock(ctx);
  const open = await ctx.registry.rollouts({ model: opts.model, open: true });
  const out: TickEntry[] = settled.map(settledEntry);
  for (const r of open) {
    const p = await planAdvance(ctx, r, before);
    const base = {
      model: r.model,
      rollout: r.id,
      candidate: formatRef(p.candidate),
      stage: describeStage(r.plan[r.step]!),
      commit: null as string | null,
    };
    if (r.state === 'paused') {
      out.push({ ...base, checks: [], action: 'paused', detail: 'paused; mlctl rollout resume to continue' });
      continue;
    }
    const waitingPr = pendingOf(r)?.kind === 'pull_request' ? pendingOf(r) : null;
    // A start or an abort waiting for its merge has no stage of its own to check yet.
    if (waitingPr && (waitingPr.action === 'start' || waitingPr.action === 'abort')) continue;
    const label = pendingLabelOf(r);
    if (label) {
      out.push(await labelEntry(ctx, r, label, base));
      continue;
    }
    const checks = await evaluateStage(ctx, r, { look: p.remainingMs === 0 && !p.confirmed });
    const fresh = (await ctx.registry.getRollout(r.id))!;
    try {
      if (checks.some((c) => c.status === 'fail')) {
        const o = await abortStep(ctx, fresh, {
          reason: 'rollout tick: a check failed',
          failing: checks.filter((c) => c.status === 'fail'),
          by: 'tick',
        });
        if (isPullRequestOutcome(o))
          out.push({
            ...base,
            checks,
            action: 'opened',
            detail: `a check failed: urgent pull request #${o.pull_request.number} to abort (all traffic back to ${o.champion}): ${o.pull_request.url}`,
            commit: o.commit,
            pull_request: { number: o.pull_request.number, url: o.pull_request.url, state: 'open' },
          });
        else
          out.push({
            ...base,
            checks,
            action: 'aborted',
            detail: `aborted: all traffic back to ${o.champion}`,
            commit: o.commit,
          });
        continue;
      }
      // The next step waits for its pull request (reported above); the checks of this stage ran.
      if (waitingPr) continue;
      const late = await stageTimeout(ctx, fresh, checks);
      if (late) {
        out.push(await onStageTimeout(ctx, fresh, late, { ...base, checks }));
        continue;
      }
      const why = blocker({ ...p, rollout: fresh }, checks);
      if (why) {
        const undecided = checks.some((c) => c.status !== 'pass');
        out.push({ ...base, checks, action: undecided ? 'blocked' : 'waiting', detail: why.message });
        continue;
      }
      const next = r.plan[r.step + 1]!;
      if (!next.auto) {
        out.push({
          ...base,
          checks,
          action: 'waiting',
          detail: `ready for ${describeStage(next)}, which is not marked auto: run mlctl promote ${formatRef(p.candidate)}`,
        });
        continue;
      }
      const o = await advanceStep(ctx, { ...p, rollout: fresh }, { forced: false, reason: null, checks });
      if (isPullRequestOutcome(o)) {
        out.push({
          ...base,
          checks,
          action: 'opened',
          detail: `${base.stage} → ${o.stage}: pull request #${o.pull_request.number} ${o.pull_request.url}`,
          commit: o.commit,
          pull_request: { number: o.pull_request.number, url: o.pull_request.url, state: 'open' },
        });
        continue;
      }
      out.push({
        ...base,
        checks,
        action: o.action === 'complete' ? 'completed' : 'advanced',
        detail: `${base.stage} → ${o.stage}`,
        commit: o.commit,
      });
    } catch (err) {
      // Another tick or promote moved this rollout meanwhile: it acted, so this one does not.
      if (err instanceof ConcurrentChangeError && err.subject === 'rollout')
        out.push({ ...base, checks, action: 'conflict', detail: err.message });
      else throw err;
    }
  }
  // Completed rollouts may still owe a step: their label commit, or taking the old champion down.
  const models = opts.model ? [opts.model] : Object.keys(ctx.rollout.serving).sort();
  for (const model of models.filter((m) => !open.some((r) => r.model === m))) {
    const [last] = await ctx.registry.rollouts({ model, limit: 1 });
    const label = last && last.state === 'completed' ? pendingLabelOf(last) : null;
    if (label) {
      out.push(await labelEntry(ctx, last!, label, await baseOf(ctx, last!)));
      continue;
    }
    const owed = await owedAfterFull(ctx, model);
    if (!owed) {
      const labels = await championLabelsOwed(ctx, model);
      if (labels) out.push(await championLabelsEntry(ctx, labels, last?.id ?? 0));
      continue;
    }
    const base = await baseOf(ctx, owed.rollout);
    const left = Date.parse(owed.due) - ctx.clock.now().getTime();
    if (left > 0) {
      out.push({
        ...base,
        checks: [],
        action: 'waiting',
        detail: `${owed.what} after ${owed.due} (${formatDuration(left)} left): a rollback until then is instant`,
      });
      continue;
    }
    try {
      const o = await runAfterFull(ctx, owed);
      out.push({ ...base, checks: [], action: 'cleaned-up', detail: owed.what, commit: o.commit });
    } catch (err) {
      if (err instanceof ConcurrentChangeError)
        out.push({ ...base, checks: [], action: 'conflict', detail: err.message });
      else throw err;
    }
  }
  return out;
}

function settledEntry(s: SettledStep): TickEntry {
  return {
    model: s.model,
    rollout: s.rollout ?? 0,
    candidate: s.subject,
    stage: s.label,
    checks: [],
    action: s.outcome === 'merged' ? 'merged' : s.outcome === 'cancelled' ? 'cancelled' : 'pending',
    detail: s.detail,
    commit: s.commit,
    pull_request: s.pull_request,
  };
}
type EntryBase = Pick<TickEntry, 'model' | 'rollout' | 'candidate' | 'stage' | 'commit'>;

async function baseOf(ctx: RolloutContext, r: RolloutRecord): Promise<EntryBase> {
  const cand = (await ctx.registry.getVersionById(r.candidateId))!;
  return {
    model: r.model,
    rollout: r.id,
    candidate: formatRef(cand),
    stage: describeStage(r.plan[r.step]!),
    commit: null,
  };
}

/** A champion change (promote, rollback) that loaded its version: its labels once loaded. */
async function championLabelsEntry(ctx: RolloutContext, owed: ChampionLabels, rollout: number): Promise<TickEntry> {
  const base = {
    model: owed.champion.model,
    rollout,
    candidate: formatRef(owed.champion),
    stage: 'full',
    commit: null,
  };
  try {
    const ready = await championLabelsReady(ctx, owed);
    if (!ready.ready)
      return {
        ...base,
        checks: [],
        action: 'waiting',
        detail: `labels ${labelList(owed.pending)} wait: ${ready.detail}`,
      };
    const commit = await writeChampionLabels(ctx, owed, ready);
    return {
      ...base,
      checks: [],
      action: 'labelled',
      detail: `labels ${labelList(owed.pending)} written (${ready.detail})`,
      commit,
    };
  } catch (err) {
    if (err instanceof ConcurrentChangeError) return { ...base, checks: [], action: 'conflict', detail: err.message };
    if (err instanceof StorageError)
      return { ...base, checks: [], action: 'blocked', detail: err.message, error: err.message };
    throw err;
  }
}

/** A pending label step: written once its version is loaded, else waiting (bake time has not started). */
async function labelEntry(ctx: RolloutContext, r: RolloutRecord, p: PendingLabel, base: EntryBase): Promise<TickEntry> {
  try {
    const ready = await labelsReady(ctx, r, p);
    if (!ready.ready)
      return { ...base, checks: [], action: 'waiting', detail: `labels ${labelList(p)} wait: ${ready.detail}` };
    const o = await settleLabels(ctx, (await ctx.registry.getRollout(r.id))!, ready);
    return {
      ...base,
      checks: [],
      action: o.action === 'complete' ? 'completed' : 'labelled',
      detail: `labels ${labelList(p)} written (${ready.detail})${o.action === 'complete' ? `; ${o.candidate} is the champion` : '; the bake time starts now'}`,
      commit: o.commit,
    };
  } catch (err) {
    if (err instanceof ConcurrentChangeError) return { ...base, checks: [], action: 'conflict', detail: err.message };
    if (err instanceof StorageError)
      return { ...base, checks: [], action: 'blocked', detail: err.message, error: err.message };
    throw err;
  }
}
