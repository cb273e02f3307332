import { NO, lineOf, type EvaluationInput } from './input.js';
import type { GateCheckResult, Verdict } from '../checks.js';

/** Required metrics must be present for the candidate. */
export function requiredMetricChecks(input: EvaluationInput): GateCheckResult[] {
  return Object.entries(input.policy.policy.metrics)
    .filter(([name, m]) => m.required && input.candidate.get('')?.[name] === undefined)
    .map(([name]) => ({
      id: `required:${name}`,
      metric: name,
      slice: null,
      kind: 'required',
      verdict: 'fail',
      severity: 'error',
      candidate: null,
      baseline: null,
      inequality: `${name}: present ${NO}`,
      message: `required metric ${name} is missing for the candidate`,
      line: lineOf(input, ['metrics', name]),
    }));
}

/**
 * Slice coverage: required slices must have rows; a slice below min_rows follows below_min_rows.
 * `skipped`: the slices the gates are not evaluated in.
 */
export function sliceCoverageChecks(input: EvaluationInput): { checks: GateCheckResult[]; skipped: Set<string> } {
  const checks: GateCheckResult[] = [];
  const skipped = new Set<string>();
  input.policy.policy.slices.forEach((s, i) => {
    const rows = input.sliceRows?.get(s.name);
    const present = input.candidate.has(s.name) && (rows === undefined || rows > 0);
    if (!present) {
      skipped.add(s.name);
      if (s.required)
        checks.push({
          id: `slice:${s.name}`,
          metric: null,
          slice: s.name,
          kind: 'slice',
          verdict: 'fail',
          severity: 'error',
          candidate: null,
          baseline: null,
          inequality: `slice ${s.name}: present ${NO}`,
          message: `required slice ${s.name} has no rows in the evaluation data`,
          line: lineOf(input, ['slices', i, 'required']),
        });
      return;
    }
    if (rows !== undefined && rows < s.min_rows) {
      skipped.add(s.name);
      const v: Verdict = s.below_min_rows === 'fail' ? 'fail' : s.below_min_rows === 'warn' ? 'warn' : 'skip';
      checks.push({
        id: `slice:${s.name}`,
        metric: null,
        slice: s.name,
        kind: 'slice_rows',
        verdict: v,
        severity: v === 'fail' ? 'error' : 'warn',
        candidate: rows,
        baseline: null,
        inequality: `slice ${s.name}: rows ${rows} ≥ ${s.min_rows} ${NO}`,
        message: `slice ${s.name} has ${rows} rows, below min_rows ${s.min_rows}`,
        line: lineOf(input, ['slices', i, 'min_rows']),
      });
    }
  });
  return { checks, skipped };
}
