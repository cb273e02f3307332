import { ALL_METRICS, CLASSIFICATION_METRICS } from '../metrics.js';
import { fmt, type GateCheckResult, type Verdict } from '../checks.js';
import { NO, OK, lineOf, verdictOf, type EvaluationInput, type GateScope } from './input.js';
import type { GateSpec } from '../policy.js';

const CLASSIFICATION = new Set<string>(CLASSIFICATION_METRICS);

/**
 * The candidate has no value for the gate's metric in this scope. From predictions a built-in
 * metric is missing only when the data cannot support it (e.g. AUC with one positive): that is
 * "cannot decide", never a pass.
 */
export function missingValueCheck(input: EvaluationInput, g: GateSpec, s: GateScope): GateCheckResult {
  const required = input.policy.policy.metrics[g.metric]?.required;
  const slice = s.base.slice;
  const undecidable =
    !!input.rows &&
    (ALL_METRICS as readonly string[]).includes(g.metric) &&
    (input.rows.cand.binary || !CLASSIFICATION.has(g.metric));
  const verdict: Verdict = undecidable ? 'inconclusive' : required && !slice ? 'fail' : 'skip';
  const why = undecidable && g.metric === 'auc' ? ': AUC needs at least 2 positives and 2 negatives' : '';
  return {
    id: s.id,
    kind: 'value',
    ...s.base,
    verdict,
    inequality: `${g.metric}: n/a`,
    message: `${g.metric} is not available for the candidate${slice ? ` in slice ${slice}` : ''}${why}`,
    line: lineOf(input, ['gates', s.index, 'metric']),
  };
}

/** Absolute floors and ceilings: `min` and `max`. */
export function thresholdChecks(input: EvaluationInput, g: GateSpec, s: GateScope, c: number): GateCheckResult[] {
  const out: GateCheckResult[] = [];
  const check = (kind: 'min' | 'max', ok: boolean, inequality: string): GateCheckResult => ({
    id: s.id,
    kind,
    verdict: verdictOf(ok, g.severity),
    inequality,
    line: lineOf(input, ['gates', s.index, kind]),
    ...s.base,
  });
  if (g.min !== undefined)
    out.push(check('min', c >= g.min, `${g.metric}: ${fmt(c)} ≥ ${fmt(g.min)} ${c >= g.min ? OK : NO}`));
  if (g.max !== undefined)
    out.push(check('max', c <= g.max, `${g.metric}: ${fmt(c)} ≤ ${fmt(g.max)} ${c <= g.max ? OK : NO}`));
  return out;
}
