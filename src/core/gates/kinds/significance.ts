import { directionOf, type GateSpec } from '../policy.js';
import { fmt, holm, pText, type GateCheckResult, type Verdict } from '../checks.js';
import { hardPredictions, subset, type MetricName, type Rows } from '../metrics.js';
import { delong } from '../../stats/delong.js';
import { mcnemar } from '../../stats/mcnemar.js';
import { bootstrapAuc, bootstrapCells, bootstrapRows, type BootstrapOptions } from '../../stats/bootstrap.js';
import { improvement } from './change.js';
import { lineOf, sliceIndex, type EvaluationInput, type GateScope } from './input.js';

/** The gate's statistical test in one scope; its verdict is decided once all scopes of the gate are tested. */
export function significanceCheck(input: EvaluationInput, g: GateSpec, s: GateScope): GateCheckResult {
  const t0 = performance.now();
  const r = significance(g, s.dir, s.scope, input);
  r.elapsed_ms = Math.round((performance.now() - t0) * 10) / 10;
  const chk: GateCheckResult = {
    id: `${s.id}:${g.significance!.test}`,
    kind: 'significance',
    ...s.base,
    test: g.significance!.test,
    line: lineOf(input, ['gates', s.index, 'significance']),
    verdict: 'skip',
    inequality: '',
  };
  return Object.assign(chk, r);
}

/** Decide a gate's tested scopes, Holm-adjusted across them so testing many slices does not inflate false alarms. */
export function decideSignificance(input: EvaluationInput, g: GateSpec, checks: GateCheckResult[]): void {
  const tested = checks.filter((s) => s.p_value !== undefined);
  if (input.policy.policy.multiple_comparisons === 'holm' && tested.length > 1 && g.significance) {
    const adj = holm(tested.map((s) => s.p_value!));
    tested.forEach((s, i) => {
      s.p_value_raw = s.p_value;
      s.p_value = adj[i]!;
      Object.assign(s, decide(g, s, input));
    });
  } else for (const s of tested) Object.assign(s, decide(g, s, input));
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
  const pShown = `${pText(p)}${chk.p_value_raw !== undefined ? ` (Holm; raw ${pText(chk.p_value_raw)})` : ''}`;
  if (margin > 0) {
    // Non-inferiority: reject "worse by more than the margin" at alpha.
    if (p < s.alpha)
      return { verdict: 'pass', inequality: `${g.metric} non-inferior by ${fmt(margin)}: ${pShown} < α ${s.alpha} ✓` };
    const clearlyWorse = imp !== null && imp < -margin;
    return {
      verdict: clearlyWorse ? worseVerdict : 'inconclusive',
      inequality: `${g.metric} non-inferior by ${fmt(margin)}: ${pShown} < α ${s.alpha} ✗`,
      message: clearlyWorse
        ? `the candidate is worse than the baseline by more than ${fmt(margin)}`
        : 'not enough evidence to show non-inferiority; evaluate on more data',
    };
  }
  if (g.min_improvement) {
    // Superiority: the improvement must be significant, not just present.
    if (p < s.alpha && imp !== null && imp > 0)
      return { verdict: 'pass', inequality: `${g.metric} significantly better: ${pShown} < α ${s.alpha} ✓` };
    const notBetter = imp !== null && imp <= 0;
    return {
      verdict: notBetter ? worseVerdict : 'inconclusive',
      inequality: `${g.metric} significantly better: ${pShown} < α ${s.alpha} ✗`,
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
      inequality: `${g.metric} not significantly worse: ${pShown} ≥ α ${s.alpha} ✗`,
      message: 'the candidate is significantly worse than the baseline',
    };
  return {
    verdict: 'pass',
    inequality: `${g.metric} not significantly worse: ${p < s.alpha ? `${pShown} < α ${s.alpha}, in the candidate's favour` : `${pShown} ≥ α ${s.alpha}`} ✓`,
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
