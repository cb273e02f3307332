import { NotFoundError, UsageError, VerdictError } from '../errors.js';
import { resolveRef } from '../registry/resolve.js';
import { shortHash } from '../util/text.js';
import { type CandidateChange, type RolloutContext } from '../rollout/context.js';
import { formatRef } from '../refs.js';
import type { LoadedPolicy } from '../gates/policy.js';
import { evaluatedChecks, type GateCheckResult } from '../gates/checks.js';
import type { GateRunRecord, Registry, VersionRecord } from '../../ports/registry.js';

/** A passing gate run of the candidate against the champion whose bindings still hold. */
export async function findPassingGate(
  registry: Registry,
  cand: VersionRecord,
  champ: VersionRecord,
  policy: LoadedPolicy | null,
): Promise<GateRunRecord | null> {
  return (
    (await registry.gateRuns(cand.id)).find(
      (g) =>
        g.verdict === 'pass' &&
        g.baselineId === champ.id &&
        g.candidateManifest === cand.manifestDigest &&
        g.baselineManifest === champ.manifestDigest &&
        policy !== null &&
        g.policyDigest === policy.digest &&
        evaluatedChecks(reportChecks(g.report)) > 0,
    ) ?? null
  );
}

/** A stored run's checks; a run recorded as passing with none (before issue 11.12) never counts. */
function reportChecks(report: unknown): GateCheckResult[] {
  const checks = (report as { checks?: unknown } | null)?.checks;
  return Array.isArray(checks) ? (checks as GateCheckResult[]) : [];
}

/**
 * The candidate, the champion it would replace, and the passing gate run that allows it (or the
 * override that skips it); throws why it may not. Nothing is written.
 */
export async function planCandidateChange(
  ctx: RolloutContext,
  input: { candidate: VersionRecord; force: boolean; reason: string | null },
): Promise<CandidateChange> {
  const cand = input.candidate;
  if (cand.status === 'archived' && !input.force)
    throw new UsageError(
      `${formatRef(cand)} is archived; use mlctl rollback ${cand.model} --to ${formatRef(cand)} to bring it back`,
    );
  let champ: VersionRecord | null = null;
  try {
    champ = await resolveRef(ctx.registry, `${cand.model}@champion`);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  if (champ && champ.id === cand.id) throw new UsageError(`${formatRef(cand)} is already the champion`);
  if (!champ) return { candidate: cand, champion: null, gateRun: null, forced: false, reason: input.reason };
  const loaded = await ctx.policy();
  const gateRun = await findPassingGate(ctx.registry, cand, champ, loaded);
  if (!gateRun && !input.force) {
    const policy = loaded
      ? `${loaded.file} (${shortHash(loaded.digest)}…)`
      : 'a gate policy (none found: create gates.yaml)';
    throw new VerdictError(
      `${formatRef(cand)} has no passing gate run against the champion ${formatRef(champ)} under ${policy}; run: mlctl gate ${formatRef(cand)} — or override with --force --reason "…"`,
    );
  }
  return { candidate: cand, champion: champ, gateRun, forced: !gateRun, reason: input.reason };
}
