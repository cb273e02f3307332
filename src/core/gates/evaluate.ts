import type { LoadedPolicy, GateSpec, SliceSpec } from './policy.js';
import { directionOf } from './policy.js';
import { type GateCheckResult, fmt, fmtP, fmtSigned, holm, type Verdict } from './checks.js';
import {
  ALL_METRICS,
  CLASSIFICATION_METRICS,
  computeMetrics,
  hardPredictions,
  subset,
  type MetricName,
  type Rows,
} from './metrics.js';
import { delong } from './stats/delong.js';
import { mcnemar } from './stats/mcnemar.js';
import { bootstrapAuc, bootstrapCells, bootstrapRows, type BootstrapOptions } from './stats/bootstrap.js';
import { histogram, psi, quantileEdges } from './stats/psi.js';
import type { Predictions } from './predictions.js';
import { schemaCompatibility } from './schema-compat.js';
import type { FeatureSchema } from '../inputs/feature-schema.js';

/** Metric values per scope: '' is the whole evaluation set, other keys are slice names. */
export type MetricTable = Map<string, Record<string, number>>;

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

const CLASSIFICATION = new Set<string>(CLASSIFICATION_METRICS);
const OK = '✓';
const NO = '✗';

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

function improvement(dir: 'higher' | 'lower', c: number, b: number): number {
  return dir === 'higher' ? c - b : b - c;
}

function changeText(metric: string, dir: 'higher' | 'lower', c: number, b: number): string {
  return dir === 'higher'
    ? `${metric}: ${fmt(c)} − ${fmt(b)} = ${fmtSigned(c - b)}`
    : `${metric}: ${fmt(b)} − ${fmt(c)} = ${fmtSigned(b - c)}`;
}

/** Relative change uses |baseline|; with a zero baseline it is undefined, and only an equal candidate (0) counts as no change. */
function relative(imp: number, b: number): number | null {
  if (b !== 0) return imp / Math.abs(b);
  return imp === 0 ? 0 : null;
}

export function evaluateGates(input: EvaluationInput): GateCheckResult[] {
  const { policy } = input.policy;
  const lineOf = (path: Array<string | number>) => input.policy.doc.lineOf(path);
  const checks: GateCheckResult[] = [];
  const hasBaseline = input.baseline !== null;

  // Required metrics must be present for the candidate.
  for (const [name, m] of Object.entries(policy.metrics)) {
    if (m.required && input.candidate.get('')?.[name] === undefined) {
      checks.push({
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
        line: lineOf(['metrics', name]),
      });
    }
  }

  // Slice coverage: required slices must exist; small slices follow below_min_rows.
  const skipSlice = new Set<string>();
  policy.slices.forEach((s, i) => {
    const rows = input.sliceRows?.get(s.name);
    const present = input.candidate.has(s.name) && (rows === undefined || rows > 0);
    if (!present) {
      skipSlice.add(s.name);
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
          line: lineOf(['slices', i, 'required']),
        });
      return;
    }
    if (rows !== undefined && rows < s.min_rows) {
      skipSlice.add(s.name);
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
        line: lineOf(['slices', i, 'min_rows']),
      });
    }
  });

  policy.gates.forEach((g, gi) => {
    const dir = directionOf(policy, g.metric);
    const scopes: Array<string> = g.overall ? [''] : [];
    const named = g.slices === 'all' ? policy.slices.map((s) => s.name) : (g.slices ?? []);
    for (const s of named) if (!skipSlice.has(s)) scopes.push(s);
    const sigChecks: GateCheckResult[] = [];
    for (const scope of scopes) {
      const slice = scope || null;
      const suffix = slice ? `[${slice}]` : '';
      const c = input.candidate.get(scope)?.[g.metric];
      const b = input.baseline?.get(scope)?.[g.metric];
      const base = {
        metric: g.metric,
        slice,
        severity: g.severity,
        candidate: c ?? null,
        baseline: b ?? null,
      } as const;
      const push = (
        kind: string,
        ok: boolean | null,
        inequality: string,
        line: number | undefined,
        extra: Partial<GateCheckResult> = {},
      ) => {
        const verdict: Verdict = ok === null ? 'skip' : ok ? 'pass' : g.severity === 'warn' ? 'warn' : 'fail';
        checks.push({ id: `${g.id}${suffix}`, kind, verdict, inequality, line, ...base, ...extra });
      };
      if (c === undefined) {
        const required = policy.metrics[g.metric]?.required;
        // From predictions a built-in metric is missing only when the data cannot support it
        // (e.g. AUC with one positive): that is "cannot decide", never a pass.
        const undecidable =
          input.rows &&
          (ALL_METRICS as readonly string[]).includes(g.metric) &&
          (input.rows.cand.binary || !CLASSIFICATION.has(g.metric));
        const verdict: Verdict = undecidable ? 'inconclusive' : required && !slice ? 'fail' : 'skip';
        const why = undecidable && g.metric === 'auc' ? ': AUC needs at least 2 positives and 2 negatives' : '';
        checks.push({
          id: `${g.id}${suffix}`,
          kind: 'value',
          ...base,
          verdict,
          inequality: `${g.metric}: n/a`,
          message: `${g.metric} is not available for the candidate${slice ? ` in slice ${slice}` : ''}${why}`,
          line: lineOf(['gates', gi, 'metric']),
        });
        continue;
      }
      if (g.min !== undefined)
        push(
          'min',
          c >= g.min,
          `${g.metric}: ${fmt(c)} ≥ ${fmt(g.min)} ${c >= g.min ? OK : NO}`,
          lineOf(['gates', gi, 'min']),
        );
      if (g.max !== undefined)
        push(
          'max',
          c <= g.max,
          `${g.metric}: ${fmt(c)} ≤ ${fmt(g.max)} ${c <= g.max ? OK : NO}`,
          lineOf(['gates', gi, 'max']),
        );
      for (const kind of ['max_regression', 'min_improvement', 'max_improvement'] as const) {
        const bound = g[kind];
        if (!bound) continue;
        const line = lineOf(['gates', gi, kind]);
        if (b === undefined) {
          checks.push({
            id: `${g.id}${suffix}`,
            kind,
            ...base,
            verdict: 'skip',
            inequality: `${g.metric}: no baseline`,
            message: hasBaseline
              ? `the baseline has no ${g.metric}${slice ? ` in slice ${slice}` : ''}`
              : 'no champion yet: change checks skipped (baseline.if_missing: absolute_only)',
            line,
          });
          continue;
        }
        const imp = improvement(dir, c, b);
        const rel = relative(imp, b);
        const parts: string[] = [];
        let ok = true;
        const cmp = (value: number, limit: number, op: '≥' | '≤') =>
          op === '≥' ? value >= limit - 1e-12 : value <= limit + 1e-12;
        const limitAbs = kind === 'max_regression' ? -(bound.absolute ?? 0) : (bound.absolute ?? 0);
        const op = kind === 'max_improvement' ? '≤' : '≥';
        if (bound.absolute !== undefined) {
          const pass = cmp(imp, limitAbs, op);
          ok &&= pass;
          parts.push(`${changeText(g.metric, dir, c, b)} ${op} ${fmtSigned(limitAbs)} ${pass ? OK : NO}`);
        }
        if (bound.relative !== undefined) {
          const limitRel = kind === 'max_regression' ? -bound.relative : bound.relative;
          if (rel === null) {
            parts.push(`${g.metric}: relative change undefined for a zero baseline (absolute bound applies)`);
            if (bound.absolute === undefined) ok = false;
          } else {
            const pass = cmp(rel, limitRel, op);
            ok &&= pass;
            parts.push(
              `${g.metric}: ${fmtSigned(rel * 100, 2)}% ${op} ${fmtSigned(limitRel * 100, 2)}% ${pass ? OK : NO}`,
            );
          }
        }
        push(kind, ok, parts.join('; '), line);
      }
      if (g.significance) {
        const t0 = performance.now();
        const r = significance(g, dir, scope, input);
        r.elapsed_ms = Math.round((performance.now() - t0) * 10) / 10;
        const line = lineOf(['gates', gi, 'significance']);
        const chk: GateCheckResult = {
          id: `${g.id}${suffix}:${g.significance.test}`,
          kind: 'significance',
          ...base,
          test: g.significance.test,
          line,
          verdict: 'skip',
          inequality: '',
        };
        Object.assign(chk, r);
        sigChecks.push(chk);
        checks.push(chk);
      }
    }
    // Holm across this gate's scopes, so testing many slices does not inflate false alarms.
    const tested = sigChecks.filter((s) => s.p_value !== undefined);
    if (policy.multiple_comparisons === 'holm' && tested.length > 1 && g.significance) {
      const adj = holm(tested.map((s) => s.p_value!));
      tested.forEach((s, i) => {
        s.p_value_raw = s.p_value;
        s.p_value = adj[i]!;
        Object.assign(s, decide(g, s, input));
      });
    } else for (const s of tested) Object.assign(s, decide(g, s, input));
  });

  if (input.schemas?.cand && input.schemas.base && policy.schema.enabled) {
    for (const f of schemaCompatibility(input.schemas.base, input.schemas.cand, policy.schema.rules)) {
      if (f.severity === 'off') continue;
      checks.push({
        id: `schema:${f.rule}:${f.side}.${f.field}`,
        metric: null,
        slice: null,
        kind: 'schema',
        verdict: f.severity === 'error' ? 'fail' : 'warn',
        severity: f.severity,
        candidate: null,
        baseline: null,
        inequality: f.detail,
        message: `${f.breaking ? 'breaking' : 'compatible'} schema change (${f.rule})`,
        line: lineOf(['schema']),
      });
    }
  }

  if (policy.drift && input.drift) {
    const d = policy.drift;
    for (const col of d.columns) {
      const line = lineOf(['drift', 'columns']);
      const ref = input.drift.reference.get(col) ?? null;
      const cur = input.drift.current ? numericColumn(input.drift.current, col) : null;
      if (!ref || !cur) {
        const why = !input.drift.current
          ? 'drift needs the evaluation rows: gate with --predictions or --eval'
          : `column ${col} is missing or not numeric in the ${!ref ? 'reference' : 'evaluation'} data`;
        checks.push({
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
      checks.push({
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
  }
  return checks;
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

type SigPartial = Partial<GateCheckResult> & { verdict: Verdict; inequality: string };

/** Run the configured test for one scope; the verdict is decided after the multiple-comparison adjustment. */
function significance(g: GateSpec, dir: 'higher' | 'lower', scope: string, input: EvaluationInput): SigPartial {
  const s = g.significance!;
  if (!input.rows?.base) {
    return {
      verdict: 'inconclusive',
      inequality: `${s.test}: needs predictions of both models`,
      message: 'significance tests need per-row predictions: pass --predictions and --baseline-predictions, or --eval',
    };
  }
  let cand: Rows = input.rows.cand;
  let base: Rows = input.rows.base;
  if (scope) {
    const spec = input.policy.policy.slices.find((x) => x.name === scope);
    const idx = spec ? sliceIndex(input.rows.cand, spec) : null;
    if (idx) {
      cand = subset(cand, idx);
      base = subset(base, idx);
    }
  }
  try {
    if (s.test === 'delong') {
      const r = delong(cand.labels, cand.scores, base.scores, { alpha: s.alpha, margin: s.margin });
      return { verdict: 'skip', inequality: '', statistic: r.z, p_value: r.pValue, ci: r.ci, message: r.alternative };
    }
    if (s.test === 'mcnemar') {
      const pc = hardPredictions(cand, input.policy.policy.threshold);
      const pb = hardPredictions(base, input.policy.policy.threshold);
      let b = 0;
      let c = 0;
      for (let i = 0; i < pc.length; i++) {
        const okC = pc[i] === cand.labels[i];
        const okB = pb[i] === base.labels[i];
        if (okC && !okB) b++;
        else if (!okC && okB) c++;
      }
      const r = mcnemar(b, c, s.variant);
      return {
        verdict: 'skip',
        inequality: '',
        statistic: r.statistic,
        p_value: r.pValue,
        message: `b=${b} (only candidate right), c=${c} (only baseline right)`,
      };
    }
    const o: BootstrapOptions = { resamples: s.resamples, seed: s.seed, confidence: s.confidence, margin: s.margin };
    const sign = dir === 'higher' ? 1 : -1;
    const r = bootstrapMetric(g.metric as MetricName, cand, base, sign, o, input.policy.policy.threshold);
    return {
      verdict: 'skip',
      inequality: '',
      statistic: r.diff,
      p_value: r.pValue,
      ci: r.ci,
      message: `${r.resamples} resamples (${r.method}), seed ${r.seed}`,
    };
  } catch (err) {
    return {
      verdict: 'inconclusive',
      inequality: `${s.test}: cannot decide`,
      message: (err as Error).message.replace(/^\w+: /, ''),
    };
  }
}

/** Decide a significance check from its (adjusted) p-value. */
function decide(g: GateSpec, chk: GateCheckResult, input: EvaluationInput): SigPartial {
  const s = g.significance!;
  const p = chk.p_value!;
  const dir = directionOf(input.policy.policy, g.metric);
  const margin = 'margin' in s ? s.margin : 0;
  const worseVerdict: Verdict = g.severity === 'warn' ? 'warn' : 'fail';
  const c = chk.candidate;
  const b = chk.baseline;
  const imp = c !== null && b !== null ? improvement(dir, c, b) : null;
  const pText = `p = ${fmtP(p)}${chk.p_value_raw !== undefined ? ` (Holm; raw ${fmtP(chk.p_value_raw)})` : ''}`;
  if (margin > 0) {
    // Non-inferiority: reject "worse by more than the margin" at alpha.
    if (p < s.alpha)
      return { verdict: 'pass', inequality: `${g.metric} non-inferior by ${fmt(margin)}: ${pText} < α ${s.alpha} ✓` };
    const clearlyWorse = imp !== null && imp < -margin;
    return {
      verdict: clearlyWorse ? worseVerdict : 'inconclusive',
      inequality: `${g.metric} non-inferior by ${fmt(margin)}: ${pText} < α ${s.alpha} ✗`,
      message: clearlyWorse
        ? `the candidate is worse than the baseline by more than ${fmt(margin)}`
        : 'not enough evidence to show non-inferiority; evaluate on more data',
    };
  }
  if (g.min_improvement) {
    // Superiority: the improvement must be significant, not just present.
    if (p < s.alpha && imp !== null && imp > 0)
      return { verdict: 'pass', inequality: `${g.metric} significantly better: ${pText} < α ${s.alpha} ✓` };
    const notBetter = imp !== null && imp <= 0;
    return {
      verdict: notBetter ? worseVerdict : 'inconclusive',
      inequality: `${g.metric} significantly better: ${pText} < α ${s.alpha} ✗`,
      message: notBetter
        ? 'the candidate is not better than the baseline'
        : 'the improvement is not significant; evaluate on more data',
    };
  }
  // Two-sided test of no difference: fail only on a significant difference in the wrong direction.
  const worse = imp !== null && imp < 0;
  if (p < s.alpha && worse)
    return {
      verdict: worseVerdict,
      inequality: `${g.metric} not significantly worse: ${pText} ≥ α ${s.alpha} ✗`,
      message: 'the candidate is significantly worse than the baseline',
    };
  return {
    verdict: 'pass',
    inequality: `${g.metric} not significantly worse: ${p < s.alpha ? `${pText} < α ${s.alpha}, in the candidate's favour` : `${pText} ≥ α ${s.alpha}`} ✓`,
  };
}

/** Paired bootstrap of candidate − baseline for any built-in metric. */
export function bootstrapMetric(
  metric: MetricName,
  cand: Rows,
  base: Rows,
  sign: number,
  o: BootstrapOptions,
  threshold = 0.5,
) {
  if (metric === 'auc') {
    const labels = Uint8Array.from(cand.labels);
    return bootstrapAuc(labels, cand.scores, base.scores, o);
  }
  if (['accuracy', 'precision', 'recall', 'f1'].includes(metric)) {
    // Cells: label (2) × candidate prediction (2) × baseline prediction (2).
    const pc = hardPredictions(cand, threshold);
    const pb = hardPredictions(base, threshold);
    const cells = new Float64Array(8);
    for (let i = 0; i < pc.length; i++) cells[(cand.labels[i]! << 2) | (pc[i]! << 1) | pb[i]!]!++;
    const value = (t: Float64Array, side: 1 | 0) => {
      let tp = 0,
        fp = 0,
        fn = 0,
        tn = 0;
      for (let k = 0; k < 8; k++) {
        const y = k >> 2;
        const p = side ? (k >> 1) & 1 : k & 1;
        if (y && p) tp += t[k]!;
        else if (!y && p) fp += t[k]!;
        else if (y && !p) fn += t[k]!;
        else tn += t[k]!;
      }
      switch (metric) {
        case 'accuracy':
          return (tp + tn) / (tp + tn + fp + fn);
        case 'precision':
          return tp + fp ? tp / (tp + fp) : 0;
        case 'recall':
          return tp + fn ? tp / (tp + fn) : 0;
        default:
          return 2 * tp + fp + fn ? (2 * tp) / (2 * tp + fp + fn) : 0;
      }
    };
    return bootstrapCells(cells, (t) => value(t, 1) - value(t, 0), sign, o);
  }
  const n = cand.labels.length;
  const perRow = (r: Rows) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const y = r.labels[i]!;
      const s = r.scores[i]!;
      if (metric === 'log_loss') {
        const q = Math.min(1 - 1e-15, Math.max(1e-15, s));
        out[i] = -(y === 1 ? Math.log(q) : Math.log(1 - q));
      } else if (metric === 'mae') out[i] = Math.abs(s - y);
      else out[i] = (s - y) * (s - y);
    }
    return out;
  };
  return bootstrapRows(perRow(cand), perRow(base), metric === 'rmse' ? Math.sqrt : (m) => m, sign, o);
}
