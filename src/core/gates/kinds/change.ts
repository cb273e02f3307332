import { fmt, fmtSigned, type GateCheckResult } from '../checks.js';
import { NO, OK, lineOf, verdictOf, type EvaluationInput, type GateScope } from './input.js';
import type { GateSpec } from '../policy.js';

export function improvement(dir: 'higher' | 'lower', c: number, b: number): number {
  return dir === 'higher' ? c - b : b - c;
}

function changeText(metric: string, dir: 'higher' | 'lower', c: number, b: number): string {
  return dir === 'higher'
    ? `${metric}: ${fmt(c)} − ${fmt(b)} = ${fmtSigned(c - b)}`
    : `${metric}: ${fmt(b)} − ${fmt(c)} = ${fmtSigned(b - c)}`;
}

/** Relative change uses |baseline|; with a zero baseline it is undefined, and only an equal candidate (0) counts as no change. */
function relativeChange(imp: number, b: number): number | null {
  if (b !== 0) return imp / Math.abs(b);
  return imp === 0 ? 0 : null;
}

const CHANGE_KINDS = ['max_regression', 'min_improvement', 'max_improvement'] as const;

/** Bounds on the change from the baseline: `max_regression`, `min_improvement`, `max_improvement` (absolute and/or relative). */
export function changeChecks(input: EvaluationInput, g: GateSpec, s: GateScope, c: number): GateCheckResult[] {
  const out: GateCheckResult[] = [];
  for (const kind of CHANGE_KINDS) {
    const bound = g[kind];
    if (!bound) continue;
    const line = lineOf(input, ['gates', s.index, kind]);
    const b = s.baseline;
    if (b === undefined) {
      out.push({
        id: s.id,
        kind,
        ...s.base,
        verdict: 'skip',
        inequality: `${g.metric}: no baseline`,
        message:
          input.baseline !== null
            ? `the baseline has no ${g.metric}${s.base.slice ? ` in slice ${s.base.slice}` : ''}`
            : 'no champion yet: change checks skipped (baseline.if_missing: absolute_only)',
        line,
      });
      continue;
    }
    const imp = improvement(s.dir, c, b);
    const rel = relativeChange(imp, b);
    const parts: string[] = [];
    let ok = true;
    const cmp = (value: number, limit: number, op: '≥' | '≤') =>
      op === '≥' ? value >= limit - 1e-12 : value <= limit + 1e-12;
    const limitAbs = kind === 'max_regression' ? -(bound.absolute ?? 0) : (bound.absolute ?? 0);
    const op = kind === 'max_improvement' ? '≤' : '≥';
    if (bound.absolute !== undefined) {
      const pass = cmp(imp, limitAbs, op);
      ok &&= pass;
      parts.push(`${changeText(g.metric, s.dir, c, b)} ${op} ${fmtSigned(limitAbs)} ${pass ? OK : NO}`);
    }
    if (bound.relative !== undefined) {
      const limitRel = kind === 'max_regression' ? -bound.relative : bound.relative;
      if (rel === null) {
        parts.push(`${g.metric}: relative change undefined for a zero baseline (absolute bound applies)`);
        if (bound.absolute === undefined) ok = false;
      } else {
        const pass = cmp(rel, limitRel, op);
        ok &&= pass;
        parts.push(`${g.metric}: ${fmtSigned(rel * 100, 2)}% ${op} ${fmtSigned(limitRel * 100, 2)}% ${pass ? OK : NO}`);
      }
    }
    out.push({
      id: s.id,
      kind,
      verdict: verdictOf(ok, g.severity),
      inequality: parts.join('; '),
      line,
      ...s.base,
    });
  }
  return out;
}
