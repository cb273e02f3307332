import { directionOf, type GateSpec, type LoadedPolicy } from './policy.js';
import { computeMetrics, subset } from './metrics.js';
import { sliceIndex, type EvaluationInput, type GateScope, type MetricTable } from './kinds/input.js';
import { requiredMetricChecks, sliceCoverageChecks } from './kinds/coverage.js';
import { missingValueCheck, thresholdChecks } from './kinds/value.js';
import { changeChecks } from './kinds/change.js';
import { decideSignificance, significanceCheck } from './kinds/significance.js';
import { schemaChecks } from './kinds/schema.js';
import { driftChecks } from './kinds/drift.js';
import type { GateCheckResult } from './checks.js';
import type { Predictions } from './predictions.js';

export { sliceIndex } from './kinds/input.js';
export { bootstrapMetric } from './kinds/significance.js';
export type { EvaluationInput, MetricTable } from './kinds/input.js';

/** Metric tables for both sides from aligned predictions, overall and per policy slice. */
export function tablesFromPredictions(policy: LoadedPolicy, cand: Predictions, base: Predictions | null) {
  const c: MetricTable = new Map([['', computeMetrics(cand)]]);
  const b: MetricTable | null = base ? new Map([['', computeMetrics(base)]]) : null;
  const sliceRows = new Map<string, number>();
  const indices = new Map<string, Uint32Array>();
  for (const s of policy.policy.slices) {
    const idx = sliceIndex(cand, s);
    if (!idx) continue;
    indices.set(s.name, idx);
    sliceRows.set(s.name, idx.length);
    if (idx.length === 0) continue;
    c.set(s.name, computeMetrics(subset(cand, idx)));
    if (b && base) b.set(s.name, computeMetrics(subset(base, idx)));
  }
  return { candidate: c, baseline: b, sliceRows, indices };
}

/** The scopes a gate is evaluated in: the whole set (unless overall: false) and its slices that have enough rows. */
function scopesOf(input: EvaluationInput, g: GateSpec, index: number, skipped: Set<string>): GateScope[] {
  const { policy } = input.policy;
  const dir = directionOf(policy, g.metric);
  const named = g.slices === 'all' ? policy.slices.map((s) => s.name) : (g.slices ?? []);
  const scopes = [...(g.overall ? [''] : []), ...named.filter((s) => !skipped.has(s))];
  return scopes.map((scope) => {
    const c = input.candidate.get(scope)?.[g.metric];
    const b = input.baseline?.get(scope)?.[g.metric];
    return {
      index,
      dir,
      scope,
      id: `${g.id}${scope ? `[${scope}]` : ''}`,
      candidate: c,
      baseline: b,
      base: { metric: g.metric, slice: scope || null, severity: g.severity, candidate: c ?? null, baseline: b ?? null },
    };
  });
}

/** Every check of one gate, scope by scope: thresholds, change bounds and the significance test. */
function gateChecks(input: EvaluationInput, g: GateSpec, index: number, skipped: Set<string>): GateCheckResult[] {
  const out: GateCheckResult[] = [];
  const tested: GateCheckResult[] = [];
  for (const s of scopesOf(input, g, index, skipped)) {
    const c = s.candidate;
    if (c === undefined) {
      out.push(missingValueCheck(input, g, s));
      continue;
    }
    out.push(...thresholdChecks(input, g, s, c), ...changeChecks(input, g, s, c));
    if (g.significance) {
      const chk = significanceCheck(input, g, s);
      tested.push(chk);
      out.push(chk);
    }
  }
  decideSignificance(input, g, tested);
  return out;
}

/**
 * All of a policy's checks, in report order: required metrics, slice coverage, each gate (per
 * scope), schema compatibility, drift. Each kind of check is one function in ./kinds/.
 */
export function evaluateGates(input: EvaluationInput): GateCheckResult[] {
  const coverage = sliceCoverageChecks(input);
  return [
    ...requiredMetricChecks(input),
    ...coverage.checks,
    ...input.policy.policy.gates.flatMap((g, i) => gateChecks(input, g, i, coverage.skipped)),
    ...schemaChecks(input),
    ...driftChecks(input),
  ];
}
