import type { LoadedPolicy, SliceSpec } from '../policy.js';
import type { Predictions } from '../predictions.js';
import type { FeatureSchema } from '../../inputs/feature-schema.js';
import type { GateCheckResult, Verdict } from '../checks.js';

/** Metric values per scope: '' is the whole evaluation set, other keys are slice names. */
export type MetricTable = Map<string, Record<string, number>>;

/** Everything the gate's checks are evaluated on. */
export interface EvaluationInput {
  policy: LoadedPolicy;
  candidate: MetricTable;
  baseline: MetricTable | null;
  /** Aligned predictions (same ids, same order), when the numbers come from predictions. */
  rows?: { cand: Predictions; base: Predictions | null };
  /** Rows per slice, when known. */
  sliceRows?: Map<string, number>;
  schemas?: { cand: FeatureSchema | null; base: FeatureSchema | null };
  /** Numeric columns of the drift reference, and the evaluation rows (null when gating on registered metrics). */
  drift?: { reference: Map<string, Float64Array | null>; current: Predictions | null };
}

export const OK = '✓';
export const NO = '✗';

/** The line of the policy that set a check (for file:line annotations). */
export const lineOf = (input: EvaluationInput, path: Array<string | number>): number | undefined =>
  input.policy.doc.lineOf(path);

/** One gate's metric in one scope (the whole set or a slice): what every per-gate check kind works on. */
export interface GateScope {
  /** The gate's index in the policy (for line numbers). */
  index: number;
  dir: 'higher' | 'lower';
  /** '' for the whole evaluation set, else the slice name. */
  scope: string;
  /** The check id: the gate's id, with [slice] in a slice. */
  id: string;
  candidate: number | undefined;
  baseline: number | undefined;
  /** The fields every check of this gate and scope carries. */
  base: Pick<GateCheckResult, 'metric' | 'slice' | 'severity' | 'candidate' | 'baseline'>;
}

/** A check that passed, failed (or only warned, for a warn-severity gate), or was skipped (null). */
export function verdictOf(ok: boolean | null, severity: 'error' | 'warn'): Verdict {
  return ok === null ? 'skip' : ok ? 'pass' : severity === 'warn' ? 'warn' : 'fail';
}

/** Row indices of a slice spec: every `where` column must match (a value, any of a list, or a comparison). */
export function sliceIndex(p: Predictions, s: SliceSpec): Uint32Array | null {
  if (!s.where) return null;
  const conds = Object.entries(s.where).map(([col, v]) => {
    const values =
      col === 'score'
        ? Array.from(p.scores, String)
        : col === 'label'
          ? Array.from(p.labels, String)
          : p.columns.get(col);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const c = v as { gt?: number; gte?: number; lt?: number; lte?: number; ne?: string | number | boolean };
      const test = (x: string) => {
        if (c.ne !== undefined && x === String(c.ne)) return false;
        const n = Number(x);
        if (c.gt !== undefined && !(n > c.gt)) return false;
        if (c.gte !== undefined && !(n >= c.gte)) return false;
        if (c.lt !== undefined && !(n < c.lt)) return false;
        if (c.lte !== undefined && !(n <= c.lte)) return false;
        return true;
      };
      return { values, test };
    }
    const want = new Set((Array.isArray(v) ? v : [v]).map(String));
    return { values, test: (x: string) => want.has(x) };
  });
  if (conds.some((c) => !c.values)) return new Uint32Array(0);
  const out: number[] = [];
  for (let i = 0; i < p.ids.length; i++) if (conds.every((c) => c.test(c.values![i]!))) out.push(i);
  return Uint32Array.from(out);
}
