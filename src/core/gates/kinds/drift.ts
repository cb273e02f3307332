import { fmt, type GateCheckResult, type Verdict } from '../checks.js';
import { histogram, psi, quantileEdges } from '../../stats/psi.js';
import { NO, OK, lineOf, type EvaluationInput } from './input.js';
import type { Predictions } from '../predictions.js';

/** Population stability (PSI) of each drift column between the reference data and the evaluation rows. */
export function driftChecks(input: EvaluationInput): GateCheckResult[] {
  const d = input.policy.policy.drift;
  if (!d || !input.drift) return [];
  const out: GateCheckResult[] = [];
  for (const col of d.columns) {
    const line = lineOf(input, ['drift', 'columns']);
    const ref = input.drift.reference.get(col) ?? null;
    const cur = input.drift.current ? numericColumn(input.drift.current, col) : null;
    if (!ref || !cur) {
      const why = !input.drift.current
        ? 'drift needs the evaluation rows: gate with --predictions or --eval'
        : `column ${col} is missing or not numeric in the ${!ref ? 'reference' : 'evaluation'} data`;
      out.push({
        id: `drift:${col}`,
        metric: null,
        slice: null,
        kind: 'drift',
        verdict: 'inconclusive',
        severity: 'error',
        candidate: null,
        baseline: null,
        inequality: `psi(${col}): n/a`,
        message: why,
        line,
      });
      continue;
    }
    const edges = quantileEdges(ref, d.bins);
    const v = psi(histogram(ref, edges), histogram(cur, edges), d.epsilon);
    const verdict: Verdict = v >= d.fail ? 'fail' : v >= d.warn ? 'warn' : 'pass';
    out.push({
      id: `drift:${col}`,
      metric: null,
      slice: null,
      kind: 'drift',
      verdict,
      severity: verdict === 'warn' ? 'warn' : 'error',
      candidate: v,
      baseline: null,
      inequality: `psi(${col}): ${fmt(v)} < ${fmt(d.fail)} ${v < d.fail ? OK : NO}${verdict === 'warn' ? ` (≥ warn ${fmt(d.warn)})` : ''}`,
      line,
    });
  }
  return out;
}

function numericColumn(p: Predictions, col: string): Float64Array | null {
  if (col === 'score') return p.scores;
  if (col === 'label') return p.labels;
  const v = p.columns.get(col);
  if (!v) return null;
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = Number(v[i]);
    if (!Number.isFinite(x)) return null;
    out[i] = x;
  }
  return out;
}
