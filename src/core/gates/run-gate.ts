import { dirname, resolve } from 'node:path';
import { MlctlError, NotFoundError, StorageError, UsageError } from '../errors.js';
import { appendEvent } from '../audit/chain.js';
import { resolveRef } from '../registry/resolve.js';
import { formatRef } from '../refs.js';
import { loadPolicy, type LoadedPolicy } from './policy.js';
import { gateCurves } from './curves.js';
import { readNumericColumns } from './predictions.js';
import { evaluateGates } from './evaluate.js';
import { evidenceFromEvaluation, evidenceFromFiles, evidenceFromRegistry, type Evidence } from './evidence.js';
import { evaluatedChecks, nothingEvaluatedCheck, overallVerdict, type GateCheckResult } from './checks.js';
import type { FeatureSchema } from '../inputs/feature-schema.js';
import type { GateContext, GateInput, GateReport } from './types.js';
import type { VersionRecord } from '../../ports/registry.js';

export type { GateContext, GateInput, GateReport } from './types.js';

/**
 * Decide whether `candidate` may replace the baseline (the champion by default) under the policy,
 * record the run bound to both manifests, the policy and the evaluation data, and return the report.
 * Invalid input throws before anything is recorded.
 */
export async function runGate(ctx: GateContext, input: GateInput): Promise<GateReport> {
  const policy = loadPolicy(resolve(ctx.cwd, input.policyFile), input.policyLabel ?? input.policyFile);
  const { cand, base } = await resolveVersions(ctx, input);
  checkInputs(ctx, input, base);
  const evidence = input.predictions
    ? await evidenceFromFiles(ctx, input, policy)
    : input.eval
      ? await evidenceFromEvaluation(ctx, policy, cand, base)
      : await evidenceFromRegistry(ctx, input, cand, base);
  const checks = evaluateGates({
    policy,
    candidate: evidence.candidate,
    baseline: evidence.baseline,
    rows: evidence.rows,
    sliceRows: evidence.sliceRows,
    drift: driftInput(ctx, input, policy, evidence),
    schemas: {
      cand: cand.featureSchema as FeatureSchema | null,
      base: (base?.featureSchema as FeatureSchema | null) ?? null,
    },
  });
  if (!base) checks.unshift(noBaselineCheck(policy, cand));
  if (evaluatedChecks(checks) === 0) checks.push(nothingEvaluatedCheck(checks));
  const verdict = overallVerdict(checks);
  const summary = { pass: 0, fail: 0, warn: 0, skip: 0, inconclusive: 0 };
  for (const c of checks) summary[c.verdict]++;
  const report: GateReport = {
    verdict,
    candidate: { ref: formatRef(cand), manifestDigest: cand.manifestDigest },
    baseline: base ? { ref: formatRef(base), manifestDigest: base.manifestDigest } : null,
    baselineMissing: base ? null : policy.policy.baseline.if_missing,
    policy: { file: policy.file, digest: policy.digest },
    dataset: { digest: evidence.datasetDigest, source: evidence.source, rows: evidence.rowCount },
    summary,
    checks,
    gateRunId: 0,
    at: ctx.clock.now().toISOString(),
    actor: ctx.actor,
  };
  // Curves of both models from binary-labelled predictions, kept with the run for its HTML report.
  const curves = evidence.rows ? gateCurves(evidence.rows.cand, evidence.rows.base) : null;
  if (curves) report.curves = curves;
  report.gateRunId = await recordGateRun(ctx, report, cand, base);
  return report;
}

/** The candidate, and the baseline: --against, else the champion (none for a model's first version). */
async function resolveVersions(
  ctx: GateContext,
  input: GateInput,
): Promise<{ cand: VersionRecord; base: VersionRecord | null }> {
  const cand = await resolveRef(ctx.registry, input.candidate);
  let base: VersionRecord | null = null;
  if (input.against) base = await resolveRef(ctx.registry, input.against);
  else {
    try {
      base = await resolveRef(ctx.registry, `${cand.model}@champion`);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  if (base && base.id === cand.id)
    throw new UsageError(
      `${formatRef(cand)} is already the baseline it would be compared with; gate a different version`,
    );
  return { cand, base };
}

/** The evidence flags must make a paired comparison. */
function checkInputs(ctx: GateContext, input: GateInput, base: VersionRecord | null): void {
  if (input.predictions === undefined && input.baselinePredictions !== undefined)
    throw new UsageError('--baseline-predictions needs --predictions for the candidate');
  if (input.eval && input.predictions) throw new UsageError('give either --eval or --predictions, not both');
  if (input.eval && !ctx.settings.eval)
    throw new UsageError(
      "--eval needs gates.eval.command in mlctl.yaml, e.g. 'python eval.py --model {model_dir} --data {dataset} --out {output}'",
    );
  if (base && input.predictions && !input.baselinePredictions)
    throw new UsageError(
      `--predictions needs --baseline-predictions for ${formatRef(base)} too, so the comparison is paired`,
    );
}

/** The drift reference named by the policy (relative to the policy file), against the evaluation rows. */
function driftInput(ctx: GateContext, input: GateInput, policy: LoadedPolicy, evidence: Evidence) {
  const spec = policy.policy.drift;
  if (!spec) return undefined;
  return {
    reference: readNumericColumns(resolve(dirname(resolve(ctx.cwd, input.policyFile)), spec.reference), spec.reference),
    current: evidence.rows?.cand ?? null,
  };
}

/** Without a champion: absolute thresholds only (a warning), or a failure with baseline.if_missing: fail. */
function noBaselineCheck(policy: LoadedPolicy, cand: VersionRecord): GateCheckResult {
  const fail = policy.policy.baseline.if_missing === 'fail';
  return {
    id: 'baseline',
    metric: null,
    slice: null,
    kind: 'baseline',
    verdict: fail ? 'fail' : 'warn',
    severity: fail ? 'error' : 'warn',
    candidate: null,
    baseline: null,
    inequality: `${cand.model}@champion: none`,
    message: fail
      ? 'no champion to compare with (baseline.if_missing: fail)'
      : 'no champion yet: absolute thresholds only (baseline.if_missing: absolute_only)',
    line: policy.doc.lineOf(['baseline', 'if_missing']),
  };
}

/** The run, bound to both manifests, the policy and the evaluation data; a pass validates a registered candidate. */
async function recordGateRun(
  ctx: GateContext,
  report: GateReport,
  cand: VersionRecord,
  base: VersionRecord | null,
): Promise<number> {
  const { at, verdict, summary } = report;
  try {
    return await ctx.registry.write(async () => {
      const id = await ctx.registry.insertGateRun({
        candidateId: cand.id,
        baselineId: base?.id ?? null,
        candidateManifest: cand.manifestDigest,
        baselineManifest: base?.manifestDigest ?? null,
        policyDigest: report.policy.digest,
        datasetDigest: report.dataset.digest,
        source: report.dataset.source,
        verdict,
        report: { ...report, gateRunId: undefined },
        at,
        actor: ctx.actor,
      });
      if (verdict === 'pass' && cand.status === 'registered') await ctx.registry.setStatus(cand.id, 'validated', at);
      await appendEvent(ctx.registry, {
        at,
        actor: ctx.actor,
        action: 'gate.run',
        model: cand.model,
        subject: formatRef(cand),
        payload: {
          gateRunId: id,
          verdict,
          baseline: report.baseline?.ref ?? null,
          policyDigest: report.policy.digest,
          datasetDigest: report.dataset.digest,
          summary,
        },
      });
      return id;
    });
  } catch (err) {
    if (err instanceof MlctlError) throw err;
    throw new StorageError(`could not record the gate run: ${(err as Error).message}`, { cause: err });
  }
}
