import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { parseYamlDoc, pathText, readInputFile, type LocatedDoc } from '../inputs/located-doc.js';
import { ALL_METRICS, DEFAULT_DIRECTION, type MetricName } from './metrics.js';

const nonNeg = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .min(0, `${what} must be ≥ 0 (it is a tolerance, not a signed change)`);
const alpha = z.number().gt(0, 'alpha must be between 0 and 1').lt(1, 'alpha must be between 0 and 1').default(0.05);

const Bound = z
  .object({ absolute: nonNeg('absolute').optional(), relative: nonNeg('relative').optional() })
  .strict()
  .refine((b) => b.absolute !== undefined || b.relative !== undefined, 'give absolute, relative or both');

export const MCNEMAR_VARIANTS = ['exact', 'midp', 'asymptotic', 'corrected'] as const;

const Significance = z.discriminatedUnion(
  'test',
  [
    z.object({ test: z.literal('delong'), alpha, margin: nonNeg('margin').default(0) }).strict(),
    z.object({ test: z.literal('mcnemar'), alpha, variant: z.enum(MCNEMAR_VARIANTS).default('exact') }).strict(),
    z
      .object({
        test: z.literal('paired_bootstrap'),
        alpha,
        margin: nonNeg('margin').default(0),
        resamples: z.number().int().min(100).max(100_000).default(1000),
        seed: z.number().int().min(0).default(20_261_123),
        confidence: z.number().gt(0).lt(1).default(0.95),
      })
      .strict(),
  ],
  { error: 'test must be one of delong, mcnemar, paired_bootstrap' },
);

const Gate = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'id: letters, digits, _ . - (at most 64)'),
    metric: z.string().min(1),
    min: z.number().optional(),
    max: z.number().optional(),
    max_regression: Bound.optional(),
    min_improvement: Bound.optional(),
    max_improvement: Bound.optional(),
    significance: Significance.optional(),
    severity: z.enum(['error', 'warn']).default('error'),
    /** Slices this gate also applies to: names from `slices`, or "all". */
    slices: z.union([z.literal('all'), z.array(z.string())]).optional(),
    /** false: check only the named slices (per-slice thresholds), not the whole evaluation set. */
    overall: z.boolean().default(true),
  })
  .strict();

const Metric = z
  .object({ direction: z.enum(['higher', 'lower']).optional(), required: z.boolean().default(false) })
  .strict();

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
/** A numeric or text comparison on one column: { gte: 1000 }, { lt: 0.5, gt: 0 }, { ne: "unknown" }. */
const Comparison = z
  .object({
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    ne: Scalar.optional(),
  })
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'give at least one of gt, gte, lt, lte, ne');

const Slice = z
  .object({
    name: z.string().min(1),
    /** Column → a value, a list of values (any of them), or a comparison; all columns must match. */
    where: z.record(z.string(), z.union([Scalar, z.array(Scalar), Comparison])).optional(),
    min_rows: z.number().int().min(0).default(0),
    below_min_rows: z.enum(['skip', 'warn', 'fail']).default('skip'),
    required: z.boolean().default(false),
  })
  .strict();

export const SCHEMA_RULES = {
  new_required_input: 'error',
  optional_to_required: 'error',
  type_narrowed: 'error',
  type_changed: 'error',
  domain_shrunk: 'error',
  output_removed: 'error',
  output_retyped: 'error',
  input_removed: 'off',
  type_widened: 'off',
  domain_grown: 'off',
  output_added: 'off',
} as const;
export type SchemaRule = keyof typeof SCHEMA_RULES;

const Policy = z
  .object({
    version: z.literal(1).optional(),
    metrics: z.record(z.string(), Metric).default({}),
    gates: z.array(Gate).default([]),
    baseline: z
      .object({ if_missing: z.enum(['absolute_only', 'fail']).default('absolute_only') })
      .strict()
      .default({ if_missing: 'absolute_only' }),
    slices: z.array(Slice).default([]),
    multiple_comparisons: z.enum(['holm', 'none']).default('holm'),
    threshold: z.number().gt(0).lt(1).default(0.5),
    schema: z
      .object({
        enabled: z.boolean().default(true),
        rules: z
          .partialRecord(
            z.enum(Object.keys(SCHEMA_RULES) as [SchemaRule, ...SchemaRule[]]),
            z.enum(['error', 'warn', 'off']),
          )
          .default({}),
      })
      .strict()
      .default({ enabled: true, rules: {} }),
    drift: z
      .object({
        reference: z.string().min(1),
        columns: z.array(z.string().min(1)).min(1),
        bins: z.number().int().min(2).max(100).default(10),
        epsilon: z.number().gt(0).lt(0.01).default(1e-4),
        warn: z.number().gt(0).default(0.1),
        fail: z.number().gt(0).default(0.25),
      })
      .strict()
      .optional(),
  })
  .strict();

export type GatePolicy = z.infer<typeof Policy>;
export type GateSpec = z.infer<typeof Gate>;
export type SliceSpec = z.infer<typeof Slice>;

export interface LoadedPolicy {
  file: string;
  digest: string;
  policy: GatePolicy;
  doc: LocatedDoc;
}

export interface PolicyProblem {
  line: number | undefined;
  path: string;
  message: string;
}

export function directionOf(p: GatePolicy, metric: string): 'higher' | 'lower' {
  return p.metrics[metric]?.direction ?? DEFAULT_DIRECTION[metric as MetricName] ?? 'higher';
}

function semanticProblems(p: GatePolicy): Array<{ path: Array<string | number>; message: string }> {
  const out: Array<{ path: Array<string | number>; message: string }> = [];
  for (const [name, m] of Object.entries(p.metrics)) {
    if (!(ALL_METRICS as readonly string[]).includes(name) && !m.direction) {
      out.push({
        path: ['metrics', name],
        message: `custom metric ${JSON.stringify(name)} needs a direction (higher or lower)`,
      });
    }
  }
  // A policy that checks nothing would pass every candidate (issue 11.12).
  if (p.gates.length === 0)
    out.push({
      path: ['gates'],
      message: 'the policy has no gates, so it would pass any candidate; add at least one under gates:',
    });
  const ids = new Set<string>();
  const sliceNames = new Set(p.slices.map((s) => s.name));
  p.gates.forEach((g, i) => {
    if (g.id && ids.has(g.id))
      out.push({ path: ['gates', i, 'id'], message: `duplicate gate id ${JSON.stringify(g.id)}` });
    ids.add(g.id);
    const known = (ALL_METRICS as readonly string[]).includes(g.metric) || g.metric in p.metrics;
    if (g.metric && !known) {
      out.push({
        path: ['gates', i, 'metric'],
        message: `unknown metric ${JSON.stringify(g.metric)}; use one of ${ALL_METRICS.join(', ')}, or declare it under metrics: with a direction`,
      });
    }
    if (g.min !== undefined && g.max !== undefined && g.min > g.max)
      out.push({ path: ['gates', i, 'min'], message: `min ${g.min} is greater than max ${g.max}` });
    for (const k of ['absolute', 'relative'] as const) {
      const lo = g.min_improvement?.[k];
      const hi = g.max_improvement?.[k];
      if (typeof lo === 'number' && typeof hi === 'number' && lo > hi)
        out.push({
          path: ['gates', i, 'min_improvement', k],
          message: `min_improvement ${lo} is above max_improvement ${hi}: no candidate could pass`,
        });
    }
    const checks = [g.min, g.max, g.max_regression, g.min_improvement, g.max_improvement, g.significance].filter(
      (x) => x !== undefined,
    );
    if (checks.length === 0)
      out.push({
        path: ['gates', i],
        message: 'gate checks nothing: add min, max, max_regression, min_improvement, max_improvement or significance',
      });
    if (g.significance?.test === 'delong' && g.metric !== 'auc')
      out.push({ path: ['gates', i, 'significance', 'test'], message: 'delong compares AUCs: use it with metric auc' });
    if (g.significance?.test === 'mcnemar' && g.metric !== 'accuracy')
      out.push({
        path: ['gates', i, 'significance', 'test'],
        message: 'mcnemar compares paired accuracy: use it with metric accuracy',
      });
    if (g.significance?.test === 'paired_bootstrap' && !(ALL_METRICS as readonly string[]).includes(g.metric)) {
      out.push({
        path: ['gates', i, 'significance', 'test'],
        message: `paired_bootstrap needs predictions for a built-in metric, not ${JSON.stringify(g.metric)}`,
      });
    }
    if (!g.overall && (g.slices === undefined || (Array.isArray(g.slices) && g.slices.length === 0))) {
      out.push({ path: ['gates', i, 'overall'], message: 'overall: false needs slices: to check instead' });
    }
    if (Array.isArray(g.slices)) {
      g.slices.forEach((s, j) => {
        if (!sliceNames.has(s))
          out.push({
            path: ['gates', i, 'slices', j],
            message: `unknown slice ${JSON.stringify(s)}; define it under slices:`,
          });
      });
    }
  });
  if (p.drift && p.drift.warn > p.drift.fail)
    out.push({ path: ['drift', 'warn'], message: `warn ${p.drift.warn} is above fail ${p.drift.fail}` });
  return out;
}

/**
 * The raw document seen as a policy, dropping fields of the wrong type, so the semantic checks can
 * still run (and report their problems too) when the schema check has already failed.
 */
function looseView(raw: unknown): GatePolicy {
  const obj = (x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;
  const num = (x: unknown) => (typeof x === 'number' ? x : undefined);
  const r = obj(raw) ?? {};
  const metrics = Object.fromEntries(
    Object.entries(obj(r.metrics) ?? {}).map(([k, v]) => {
      const d = obj(v)?.direction;
      return [k, { direction: d === 'higher' || d === 'lower' ? d : undefined, required: false }];
    }),
  );
  const gates = (Array.isArray(r.gates) ? r.gates : []).map((x) => {
    const g = obj(x) ?? {};
    const sig = obj(g.significance);
    const slices =
      g.slices === 'all' || (Array.isArray(g.slices) && g.slices.every((s) => typeof s === 'string'))
        ? g.slices
        : undefined;
    return {
      id: typeof g.id === 'string' ? g.id : '',
      metric: typeof g.metric === 'string' ? g.metric : '',
      min: num(g.min),
      max: num(g.max),
      max_regression: obj(g.max_regression),
      min_improvement: obj(g.min_improvement),
      max_improvement: obj(g.max_improvement),
      significance: sig && typeof sig.test === 'string' ? sig : undefined,
      severity: 'error',
      slices,
      overall: g.overall !== false,
    };
  });
  const slices = (Array.isArray(r.slices) ? r.slices : []).map((x) => ({ name: String(obj(x)?.name ?? '') }));
  const drift = obj(r.drift);
  const view = {
    metrics,
    gates,
    slices,
    drift: drift && num(drift.warn) !== undefined && num(drift.fail) !== undefined ? drift : undefined,
  };
  return view as unknown as GatePolicy;
}

/** Every problem in a policy, each with its line (for `mlctl gate lint` and annotations). */
export function lintPolicyText(
  text: string,
  file: string,
): { problems: PolicyProblem[]; policy?: GatePolicy; doc?: LocatedDoc } {
  let doc: LocatedDoc;
  try {
    doc = parseYamlDoc(text, file);
  } catch (err) {
    const m = /\(line (\d+)\)$/.exec((err as Error).message);
    return {
      problems: [
        {
          line: m ? Number(m[1]) : undefined,
          path: '',
          message: (err as Error).message.replace(`${file}: `, '').replace(/ \(line \d+\)$/, ''),
        },
      ],
    };
  }
  const r = Policy.safeParse(doc.value ?? {});
  if (!r.success) {
    const problems = r.error.issues.map((iss) => {
      let path = iss.path.filter((p): p is string | number => typeof p !== 'symbol');
      let message = iss.message;
      if (iss.code === 'unrecognized_keys') {
        message = `unknown key ${JSON.stringify(iss.keys[0])}`;
        path = [...path, iss.keys[0]!];
      }
      return { line: doc.lineOf(path), path: pathText(path), message };
    });
    // Report semantic problems too, in the same pass, ordered by line — but only for entries
    // (e.g. gates[1]) with no structural problem, whose semantic findings would just echo it.
    const entry = (path: ReadonlyArray<PropertyKey>) =>
      pathText(path.slice(0, 2).filter((x): x is string | number => typeof x !== 'symbol'));
    const broken = new Set(r.error.issues.map((i) => entry(i.path)));
    for (const p of semanticProblems(looseView(doc.value))) {
      if (!broken.has(entry(p.path)))
        problems.push({ line: doc.lineOf(p.path), path: pathText(p.path), message: p.message });
    }
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    return { problems, doc };
  }
  const problems = semanticProblems(r.data).map((p) => ({
    line: doc.lineOf(p.path),
    path: pathText(p.path),
    message: p.message,
  }));
  return { problems, policy: r.data, doc };
}

export function loadPolicy(path: string, label = path): LoadedPolicy {
  const text = readInputFile(path, label);
  const { problems, policy, doc } = lintPolicyText(text, label);
  if (problems.length || !policy || !doc) {
    const p = problems[0]!;
    const more = problems.length > 1 ? ` (+${problems.length - 1} more; run 'mlctl gate lint')` : '';
    throw new UsageError(`${label}${p.line ? `:${p.line}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}${more}`);
  }
  return { file: label, digest: `sha256:${createHash('sha256').update(text).digest('hex')}`, policy, doc };
}
