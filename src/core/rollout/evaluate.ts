import { appendEvent } from '../audit/chain.js';
import { recordLook } from './look.js';
import { runHealthChecks, type HealthCheckResult } from './health-checks.js';
import { describeStage, stageSlug } from './stages.js';
import { versionsOf, type RolloutContext } from './context.js';
import { formatRef } from '../refs.js';
import type { RolloutRecord } from '../../ports/registry.js';

/**
 * Run the current stage's health checks and store their results (the rollout's last_checks and a
 * `rollout.check` event), so every evaluation is on record whatever is decided from it. `look`: a
 * stage without checks is recorded as looked at too (a reading of the clock that a later command
 * counts as confirming the bake time, ADR 17).
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
  const results = [
    ...(await runHealthChecks(ctx.checks, ctx.rollout.checks, defined, {
      model: r.model,
      version: cand.version,
      champion: champ?.version ?? null,
      stage: stageSlug(r.plan[r.step]!),
    })),
    ...missing,
  ];
  await ctx.registry.write(async () => {
    const at = ctx.clock.now().toISOString();
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
