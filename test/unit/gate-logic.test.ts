import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/stats/rng.js';
import { bootstrapCells, bootstrapRows } from '../../src/core/stats/bootstrap.js';
import { holm } from '../../src/core/gates/checks.js';
import { schemaCompatibility } from '../../src/core/gates/schema-compat.js';
import { annotations, escapeData, escapeProperty } from '../../src/cli/render/github.js';
import { computeMetrics } from '../../src/core/gates/metrics.js';

describe('seeded randomness', () => {
  it('is reproducible per seed', () => {
    const a = new Rng(5);
    const b = new Rng(5);
    const c = new Rng(6);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });
  it('binomial draws have the right mean and variance (inversion and BTRS)', () => {
    const rng = new Rng(1);
    for (const [n, p] of [
      [20, 0.1],
      [100_000, 0.3],
    ] as const) {
      const k = 4000;
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < k; i++) {
        const x = rng.binomial(n, p);
        s += x;
        s2 += x * x;
      }
      const mean = s / k;
      const variance = s2 / k - mean * mean;
      expect(Math.abs(mean - n * p) / Math.sqrt((n * p * (1 - p)) / k)).toBeLessThan(4);
      expect(variance / (n * p * (1 - p))).toBeGreaterThan(0.85);
      expect(variance / (n * p * (1 - p))).toBeLessThan(1.15);
    }
  });
});

describe('paired bootstrap', () => {
  // Per-row paired correctness: the candidate fixes 15% of the baseline's misses and breaks 3% of its hits.
  const n = 3000;
  const rng = new Rng(99);
  const cand = new Float64Array(n);
  const base = new Float64Array(n);
  const cells = new Float64Array(4);
  for (let i = 0; i < n; i++) {
    base[i] = rng.next() < 0.8 ? 1 : 0;
    const r = rng.next();
    cand[i] = base[i] === 0 ? (r < 0.15 ? 1 : 0) : r < 0.03 ? 0 : 1;
    cells[(cand[i]! << 1) | base[i]!]!++;
  }
  const o = { resamples: 2000, seed: 3, confidence: 0.95, margin: 0 };
  it('the multinomial-cell method matches resampling rows', () => {
    const viaRows = bootstrapRows(cand, base, (m) => m, 1, o);
    const viaCells = bootstrapCells(
      cells,
      (t) => (t[2]! + t[3]! - (t[1]! + t[3]!)) / (t[0]! + t[1]! + t[2]! + t[3]!),
      1,
      o,
    );
    expect(viaCells.diff).toBeCloseTo(viaRows.diff, 12);
    expect(Math.abs(viaCells.ci[0] - viaRows.ci[0])).toBeLessThan(0.004);
    expect(Math.abs(viaCells.ci[1] - viaRows.ci[1])).toBeLessThan(0.004);
  });
  it('is deterministic for a seed', () => {
    expect(bootstrapRows(cand, base, (m) => m, 1, o)).toEqual(bootstrapRows(cand, base, (m) => m, 1, o));
  });
  it('a margin turns it into a one-sided non-inferiority p-value', () => {
    const r = bootstrapRows(cand, base, (m) => m, 1, { ...o, margin: 0.05 });
    expect(r.pValue).toBeLessThan(0.01);
  });
});

describe('Holm correction', () => {
  it('adjusts step-down and keeps monotonicity', () => {
    expect(holm([0.01, 0.04, 0.03])).toEqual([0.03, 0.06, 0.06]);
    expect(holm([0.5])).toEqual([0.5]);
  });
});

describe('schema compatibility', () => {
  const base = {
    inputs: [
      { name: 'amount', type: 'float' as const, required: true },
      { name: 'country', type: 'string' as const, values: ['US', 'DE'] },
      { name: 'age', type: 'long' as const },
      { name: 'legacy', type: 'string' as const },
    ],
    outputs: [
      { name: 'score', type: 'double' as const },
      { name: 'label', type: 'string' as const },
    ],
  };
  it('classifies breaking and compatible changes', () => {
    const cand = {
      inputs: [
        { name: 'amount', type: 'double' as const, required: true },
        { name: 'country', type: 'string' as const, values: ['US', 'FR'], required: true },
        { name: 'age', type: 'integer' as const },
        { name: 'merchant', type: 'string' as const, required: true },
      ],
      outputs: [
        { name: 'score', type: 'float' as const },
        { name: 'explanation', type: 'string' as const },
      ],
    };
    const f = schemaCompatibility(base, cand, { input_removed: 'warn' });
    const by = (rule: string) => f.filter((x) => x.rule === rule).map((x) => x.field);
    expect(by('type_widened')).toEqual(['amount']);
    expect(by('optional_to_required')).toEqual(['country']);
    expect(by('domain_shrunk')).toEqual(['country']);
    expect(by('domain_grown')).toEqual(['country']);
    expect(by('type_narrowed')).toEqual(['age']);
    expect(by('new_required_input')).toEqual(['merchant']);
    expect(by('input_removed')).toEqual(['legacy']);
    expect(by('output_retyped')).toEqual(['score']);
    expect(by('output_removed')).toEqual(['label']);
    expect(by('output_added')).toEqual(['explanation']);
    expect(f.find((x) => x.rule === 'input_removed')!.severity).toBe('warn');
    expect(f.find((x) => x.rule === 'new_required_input')).toMatchObject({ severity: 'error', breaking: true });
  });
});

describe('GitHub Actions output', () => {
  it('escapes like the Actions toolkit', () => {
    expect(escapeData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
  });
  it('keeps at most 10 annotations per type and counts the rest', () => {
    const list = Array.from({ length: 13 }, (_, i) => ({
      level: 'error' as const,
      message: `e${i}`,
      file: 'g.yaml',
      line: i + 1,
    }));
    const out = annotations([...list, { level: 'warning', message: 'w' }])
      .trim()
      .split('\n');
    expect(out.filter((l) => l.startsWith('::error'))).toHaveLength(10);
    expect(out.filter((l) => l.startsWith('::warning'))).toHaveLength(1);
    expect(out[out.length - 1]).toBe(
      '::notice::3 errors left out (at most 10 annotations per type); see the job summary',
    );
  });
});

describe('metrics from predictions', () => {
  it('computes classification metrics by hand-checkable values', () => {
    const m = computeMetrics({
      labels: Float64Array.from([1, 1, 0, 0]),
      scores: Float64Array.from([0.9, 0.4, 0.6, 0.1]),
      predictions: null,
      binary: true,
    });
    expect(m).toMatchObject({ accuracy: 0.5, precision: 0.5, recall: 0.5, f1: 0.5, auc: 0.75 });
    expect(m.brier).toBeCloseTo((0.01 + 0.36 + 0.36 + 0.01) / 4, 12);
  });
  it('regression metrics when labels are not 0/1', () => {
    const m = computeMetrics({
      labels: Float64Array.from([1, 2, 3]),
      scores: Float64Array.from([1, 2, 5]),
      predictions: null,
      binary: false,
    });
    expect(m).toEqual({ rmse: Math.sqrt(4 / 3), mae: 2 / 3 });
  });
});
