import { InconclusiveError, VerdictError } from '../errors.js';
import { describeStage, formatDuration } from './stages.js';
import { summarizeChecks } from './evaluate.js';
import type { HealthCheckResult } from './health-checks.js';
import type { AdvancePlan } from './advance.js';

/**
 * Why the rollout may not leave its current stage yet, as the error to throw (or null):
 * failing checks (exit 1), inconclusive or unevaluable checks (exit 5), bake time left (exit 1), a
 * bake time only this machine's clock says has passed (exit 5: a look is now recorded; run again).
 */
export function blocker(
  p: Pick<AdvancePlan, 'rollout' | 'remainingMs' | 'confirmed'>,
  checks: HealthCheckResult[],
): VerdictError | InconclusiveError | null {
  const r = p.rollout;
  const cur = describeStage(r.plan[r.step]!);
  const failed = checks.filter((c) => c.status === 'fail');
  if (failed.length)
    return new VerdictError(
      `${r.model}: ${cur} checks failed: ${summarizeChecks(failed)}; abort with mlctl rollback ${r.model}, or override with --force --reason "…"`,
    );
  const open = checks.filter((c) => c.status !== 'pass');
  if (open.length)
    return new InconclusiveError(
      `${r.model}: ${cur} checks could not decide: ${summarizeChecks(open)}; wait and retry, or override with --force --reason "…"`,
    );
  if (p.remainingMs > 0)
    return new VerdictError(
      `${r.model}: ${cur} needs ${formatDuration(r.plan[r.step]!.minDurationMs)} before the next stage; ${formatDuration(p.remainingMs)} left (since ${r.stepStartedAt}) — wait, or override with --force --reason "…"`,
    );
  if (!p.confirmed)
    return new InconclusiveError(
      `${r.model}: ${cur}: this machine's clock says its ${formatDuration(r.plan[r.step]!.minDurationMs)} bake time has passed, but nothing recorded since ${r.stepStartedAt} confirms it (a clock jump alone never ends a bake time); this look is recorded now — run the command again, or override with --force --reason "…"`,
    );
  return null;
}
