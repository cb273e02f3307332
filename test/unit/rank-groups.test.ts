import { describe, expect, it } from 'vitest';
import { rankGroups } from '../../src/core/stats/ranks.js';

/** Reference: group = index of the value among the sorted distinct values. */
function naive(xs: number[]): number[] {
  const distinct = [...new Set(xs)].sort((a, b) => a - b);
  return xs.map((x) => distinct.indexOf(x));
}

describe('rankGroups', () => {
  it('gives every row the index of its distinct value, for any spread of values', () => {
    let s = 7;
    const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    const cases: number[][] = [
      [0.5],
      [3, 3, 3],
      [-0, 0, 1, -1],
      Array.from({ length: 2000 }, () => Math.round(rnd() * 50) / 50), // many ties
      Array.from({ length: 2000 }, () => rnd()),
      Array.from({ length: 2000 }, () => (rnd() < 0.5 ? -1 : 1) * Math.exp(rnd() * 700)), // span overflows to ∞
      Array.from({ length: 2000 }, () => (rnd() < 0.99 ? rnd() * 1e-9 : 1e9 + rnd())), // clustered + outliers
      [Number.MIN_VALUE, 0, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE],
    ];
    for (const xs of cases) {
      const g = rankGroups(Float64Array.from(xs));
      expect(Array.from(g.group)).toEqual(naive(xs.map((x) => (Object.is(x, -0) ? 0 : x))));
      expect(g.groups).toBe(new Set(xs.map((x) => (Object.is(x, -0) ? 0 : x))).size);
    }
  });
});
