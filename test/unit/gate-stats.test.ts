import { describe, expect, it } from 'vitest';
import { delong, midranks } from '../../src/core/stats/delong.js';
import { mcnemar } from '../../src/core/stats/mcnemar.js';
import { psi } from '../../src/core/stats/psi.js';
import { erfc, normalQuantile, normalUpper } from '../../src/core/stats/special.js';

const close = (actual: number, expected: number, rel = 1e-9) => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(Math.abs(expected), 1e-300));
};

describe('special functions', () => {
  it('erfc matches known values across its range', () => {
    close(erfc(0), 1);
    close(erfc(0.5), 0.4795001221869535, 1e-14);
    close(erfc(1), 0.15729920705028513, 1e-14);
    close(erfc(2.5), 4.06952017444959e-4, 1e-12);
    close(erfc(5), 1.5374597944280349e-12, 1e-12);
    close(erfc(10), 2.088487583762545e-45, 1e-12);
    close(erfc(-1), 1.8427007929497148, 1e-14);
  });
  it('normal tails and quantiles', () => {
    close(normalQuantile(0.975), 1.959963984540054, 1e-13);
    close(normalQuantile(1e-10), -6.361340902404056, 1e-10);
    close(normalUpper(8), 6.22096057427178e-16, 1e-10);
  });
});

describe('DeLong (fast, Sun & Xu 2014)', () => {
  const y = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
  const A = [0.9, 0.8, 0.7, 0.6, 0.4, 0.5, 0.35, 0.3, 0.2, 0.1, 0.4, 0.05];
  const B = [0.7, 0.9, 0.3, 0.5, 0.6, 0.6, 0.4, 0.2, 0.8, 0.1, 0.3, 0.25];
  it('reproduces the reference values', () => {
    const r = delong(y, A, B);
    close(r.aucA, 67 / 70, 1e-14);
    close(r.aucB, 54 / 70, 1e-14);
    close(r.varA, 0.00272108843537415, 1e-12);
    close(r.varB, 0.0205102040816327, 1e-12);
    close(r.cov, 0.000833333333333333, 1e-12);
    close(r.z, 1.26466164849477, 1e-12);
    close(r.pValue, 0.205992643474081, 1e-12);
    close(r.ci[0], -0.102104445760505, 1e-11);
    close(r.ci[1], 0.473533017189076, 1e-11);
  });
  it('identical score vectors: z = 0, p = 1', () => {
    const r = delong(y, A, A);
    expect(r.z).toBe(0);
    expect(r.pValue).toBe(1);
  });
  it('non-inferiority with a margin is one-sided on diff + margin', () => {
    const r = delong(y, A, B, { margin: 0.05 });
    close(r.z, (67 / 70 - 54 / 70 + 0.05) / r.se, 1e-12);
    close(r.pValue, normalUpper(r.z), 1e-14);
    expect(r.alternative).toBe('non-inferiority');
  });
  it('rejects too few positives, bad labels and NaN scores', () => {
    expect(() => delong([1, 0, 0], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3])).toThrow(/at least 2 positives and 2 negatives/);
    expect(() => delong([1, 2, 0, 0], [1, 2, 3, 4], [1, 2, 3, 4])).toThrow(/labels must be 0 or 1/);
    expect(() => delong([1, 1, 0, 0], [NaN, 2, 3, 4], [1, 2, 3, 4])).toThrow(/NaN/);
  });
  it('midranks average ties', () => {
    expect(Array.from(midranks([3, 1, 3, 2]))).toEqual([3.5, 1, 3.5, 2]);
  });
});

describe('McNemar', () => {
  it('b=121, c=59: all variants', () => {
    const corr = mcnemar(121, 59, 'corrected');
    close(corr.statistic!, 20.672222222222221, 1e-13);
    close(corr.pValue, 5.4500948254271171e-6, 1e-9);
    const asym = mcnemar(121, 59, 'asymptotic');
    close(asym.statistic!, 21.355555555555554, 1e-13);
    close(asym.pValue, 3.8151358651125936e-6, 1e-9);
    close(mcnemar(121, 59, 'exact').pValue, 4.4344492637555101e-6, 1e-9);
    close(mcnemar(121, 59, 'midp').pValue, 3.26664679577459e-6, 1e-9);
  });
  it('b=7, c=1: exact and mid-p', () => {
    close(mcnemar(7, 1, 'exact').pValue, 0.0703125, 1e-12);
    close(mcnemar(7, 1, 'midp').pValue, 0.0390625, 1e-12);
    close(mcnemar(1, 7, 'midp').pValue, 0.0390625, 1e-12);
  });
  it('b=c=3: p=1 for all variants except mid-p', () => {
    expect(mcnemar(3, 3, 'exact').pValue).toBe(1);
    expect(mcnemar(3, 3, 'asymptotic').pValue).toBe(1);
    expect(mcnemar(3, 3, 'corrected').pValue).toBe(1);
    close(mcnemar(3, 3, 'midp').pValue, 0.84375, 1e-12);
  });
  it('no discordant pairs: p = 1', () => {
    expect(mcnemar(0, 0, 'exact').pValue).toBe(1);
  });
});

describe('PSI', () => {
  it('reference deciles vs shifted current', () => {
    close(
      psi(new Array(10).fill(0.1), [0.05, 0.05, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.15, 0.15]),
      0.109861228866811,
      1e-12,
    );
  });
  it('stays finite with empty bins', () => {
    expect(Number.isFinite(psi([0.5, 0.5, 0], [0.4, 0.4, 0.2]))).toBe(true);
  });
});
