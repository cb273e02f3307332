import { appendEvent } from '../audit/chain.js';
import { recordLook } from './look.js';
import { runHealthChecks, type HealthCheckResult } from './health-checks.js';
import { judgeCompare, readCompareChecks } from './compare-check.js';
import { describeStage, stageSlug } from './stages.js';
import { versionsOf, type RolloutContext } from './context.js';
import { formatRef } from '../refs.js';
import type { RolloutRecord } from '../../ports/registry.js';

/**
 * Run the current stage's health checks and store their results (the rollout's last_checks and a
 * `rollout.check` event), so every evaluation is on record whatever is decided from it. `look`: a
 * stage without checks is recorded as looked at too (a reading of the clock that a later command
 * counts as confirming the bake time, ADR 26).
 */
export async function evaluateStage(
  ctx: RolloutContext,
  r: RolloutRecord,
  opts: { look?: boolean } = {},
): Promise<HealthCheckResult[]> {
  const names = r.plan[r.step]!.checks;
  if (!names.length) {
    if (opts.look) await recordLook(ctx, r);
    return [];
  }
  const { cand, champ } = await versionsOf(ctx, r);
  const defined = names.filter((n) => n in ctx.rollout.checks);
  const missing: HealthCheckResult[] = names
    .filter((n) => !(n in ctx.rollout.checks))
    .map((n) => ({
      name: n,
      kind: 'command',
      status: 'error',
      value: null,
      min: null,
      max: null,
      detail: `check ${n} is no longer defined under rollout.checks in mlctl.yaml`,
    }));
  const compares = defined.flatMap((name) => {
    const spec = ctx.rollout.checks[name]!;
    return 'compare' in spec ? [{ name, spec: spec.compare }] : [];
  });
  const thresholds = defined.filter((n) => !compares.some((c) => c.name === n));
  const [ran, pending] = await Promise.all([
    runHealthChecks(ctx.checks, ctx.rollout.checks, thresholds, {
      model: r.model,
      version: cand.version,
      champion: champ?.version ?? null,
      stage: stageSlug(r.plan[r.step]!),
    }),
    readCompareChecks(
      ctx.checks,
      compares,
      r,
      { candidate: cand.version, champion: champ?.version ?? null },
      ctx.clock.now(),
    ),
  ]);
  const results: HealthCheckResult[] = [];
  await ctx.registry.write(async () => {
    const at = ctx.clock.now().toISOString();
    const judged = [];
    for (const p of pending) judged.push(await judgeCompare(ctx.registry, r, p, { at, actor: ctx.actor }));
    // In the stage's own order of checks.
    const byName = new Map([...ran, ...judged, ...missing].map((c) => [c.name, c]));
    results.splice(0, results.length, ...names.map((n) => byName.get(n)!));
    await ctx.registry.setRolloutChecks(r.id, { at, results }, at);
    await appendEvent(ctx.registry, {
      at,
      actor: ctx.actor,
      action: 'rollout.check',
      model: r.model,
      subject: formatRef(cand),
      payload: {
        rollout: r.id,
        stage: describeStage(r.plan[r.step]!),
        results: results.map((c) => ({ name: c.name, status: c.status, value: c.value, detail: c.detail })),
      },
    });
  });
  return results;
}

export const summarizeChecks = (cs: HealthCheckResult[]): string =>
  cs.map((c) => `${c.name} ${c.status}${c.detail ? ` (${c.detail})` : ''}`).join('; ');
