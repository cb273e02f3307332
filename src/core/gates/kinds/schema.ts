import { schemaCompatibility } from '../schema-compat.js';
import { lineOf, type EvaluationInput } from './input.js';
import type { GateCheckResult } from '../checks.js';

/** Feature-schema changes from the baseline to the candidate, at the severity the policy gives each rule. */
export function schemaChecks(input: EvaluationInput): GateCheckResult[] {
  const { schema } = input.policy.policy;
  if (!input.schemas?.cand || !input.schemas.base || !schema.enabled) return [];
  return schemaCompatibility(input.schemas.base, input.schemas.cand, schema.rules)
    .filter((f) => f.severity !== 'off')
    .map((f) => ({
      id: `schema:${f.rule}:${f.side}.${f.field}`,
      metric: null,
      slice: null,
      kind: 'schema',
      verdict: f.severity === 'error' ? 'fail' : 'warn',
      severity: f.severity as 'error' | 'warn',
      candidate: null,
      baseline: null,
      inequality: f.detail,
      message: `${f.breaking ? 'breaking' : 'compatible'} schema change (${f.rule})`,
      line: lineOf(input, ['schema']),
    }));
}
