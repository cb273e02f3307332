import { ConcurrentChangeError } from '../errors.js';
import { type RolloutContext } from './context.js';
import { formatRef } from '../refs.js';
import { abortRollout } from './abort.js';
import { applyAdvance, planAdvance } from './advance.js';
import { blocker } from './blocker.js';
import { evaluateStage } from './evaluate.js';
import { describeStage } from './stages.js';
import { reconcile } from '../reconcile/reconcile.js';
import { checkClock } from './clock.js';
import { onStageTimeout, stageTimeout } from './stage-timeout.js';
import type { HealthCheckResult } from './health-checks.js';
import type { StepOutcome } from './outcome.js';

export interface TickEntry {
  model: string;
  rollout: number;
  candidate: string;
  stage: string;
  checks: HealthCheckResult[];
  action: 'advanced' | 'completed' | 'aborted' | 'waiting' | 'paused' | 'blocked' | 'conflict';
  detail: string;
  commit: string | null;
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
  const broken = listed('error');
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
  await reconcile(ctx, opts.model);
  await checkClock(ctx);
  const open = await ctx.registry.rollouts({ model: opts.model, open: true });
  const out: TickEntry[] = [];
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
    const checks = await evaluateStage(ctx, r, { look: p.remainingMs === 0 && !p.confirmed });
    const fresh = (await ctx.registry.getRollout(r.id))!;
    try {
      if (checks.some((c) => c.status === 'fail')) {
        const o = await abortRollout(ctx, fresh, {
          reason: 'rollout tick: a check failed',
          failing: checks.filter((c) => c.status === 'fail'),
          by: 'tick',
        });
        out.push({
          ...base,
          checks,
          action: 'aborted',
          detail: `aborted: all traffic back to ${o.champion}`,
          commit: o.commit,
        });
        continue;
      }
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
      const o: StepOutcome = await applyAdvance(ctx, { ...p, rollout: fresh }, { forced: false, reason: null, checks });
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
  return out;
}
