import { describe, expect, it } from 'vitest';
import { fixedHorizonTrials, propTestPower, propTestSampleSize, secondsToTrials } from '../../src/core/stats/power.js';

const close = (actual: number | null, expected: number, rel: number) => {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
};

describe("R's power.prop.test (strict = FALSE)", () => {
  /*
   * Published values, from the examples of R's ?power.prop.test:
   *   power.prop.test(n = 50, p1 = .50, p2 = .75)      ## => power = 0.740  (R prints 0.7401659)
   *   power.prop.test(p1 = .50, p2 = .75, power = .90) ## => n = 76.7      (R prints 76.7069)
   *   power.prop.test(n = 50, p1 = .5, power = .90)    ## => p2 = 0.8026
   * (76.65 is a different method: pwr::pwr.2p.test with Cohen's arcsine h gives 76.65297 for the same
   * case; power.prop.test uses the normal approximation below and gives 76.7069.)
   * The other references were computed in Python 3 with statistics.NormalDist from R's formula
   *   power = Φ((√n·|p1−p2| − z_{1−α/tside}·√((p1+p2)(1−(p1+p2)/2))) / √(p1(1−p1)+p2(1−p2)))
   * solving for n by 200 bisection steps on [2, 1e7] (like uniroot, not the closed form used in power.ts).
   */
  it('matches the published two-sided examples', () => {
    close(propTestPower(50, { p1: 0.5, p2: 0.75, sigLevel: 0.05, alternative: 'two.sided' }), 0.740165901331388, 1e-9);
    const n = propTestSampleSize(0.9, { p1: 0.5, p2: 0.75, sigLevel: 0.05, alternative: 'two.sided' });
    close(n, 76.70692845177743, 1e-9);
    expect(n.toFixed(1)).toBe('76.7');
    // p2 = 0.8026 at n = 50 and power 0.9: the power there is 0.9 (Python bisection: p2 = 0.8026305817038946).
    close(propTestPower(50, { p1: 0.5, p2: 0.8026305817038946, sigLevel: 0.05, alternative: 'two.sided' }), 0.9, 1e-9);
  });

  it('one-sided uses z_{1−α} and the sample size inverts the power', () => {
    // Python: n_for(.9, .5, .75, .05, tside=1) = 62.33550803709633
    const n = propTestSampleSize(0.9, { p1: 0.5, p2: 0.75, sigLevel: 0.05, alternative: 'one.sided' });
    close(n, 62.33550803709633, 1e-9);
    close(propTestPower(n, { p1: 0.5, p2: 0.75, sigLevel: 0.05, alternative: 'one.sided' }), 0.9, 1e-12);
    expect(propTestSampleSize(0.8, { p1: 0.3, p2: 0.3, sigLevel: 0.05, alternative: 'one.sided' })).toBe(Infinity);
  });

  it.each([
    // p0, margin, alpha, Python n (bisection), ceiling
    [0.005, 0.002, 0.05, 18435.339301846238, 18436],
    [0.01, 0.002, 0.05, 33628.97371264493, 33629],
    [0.1, 0.01, 0.05, 11619.069936521042, 11620],
    [0.02, 0.005, 0.01, 17657.058550834343, 17658],
    [0.3, 0.05, 0.1, 790.2360716638161, 791],
  ])('fixed horizon p0=%s margin=%s alpha=%s → %s per side', (p0, margin, alpha, exact, ceil) => {
    close(propTestSampleSize(0.8, { p1: p0, p2: p0 + margin, sigLevel: alpha, alternative: 'one.sided' }), exact, 1e-9);
    expect(fixedHorizonTrials({ p0, margin, alpha, better: 'lower' })).toBe(ceil);
  });

  it('better: higher takes the harmful side below p0 (the same as R on the mirrored rates)', () => {
    // power.prop.test(p1 = .995, p2 = .993, …) is the mirror of (p1 = .005, p2 = .007): 18436.
    expect(fixedHorizonTrials({ p0: 0.995, margin: 0.002, alpha: 0.05, better: 'higher' })).toBe(18436);
  });

  it('margin 0 has no finite fixed-horizon size; impossible rates are usage errors', () => {
    expect(fixedHorizonTrials({ p0: 0.01, margin: 0, alpha: 0.05, better: 'lower' })).toBeNull();
    expect(() => fixedHorizonTrials({ p0: 0.999, margin: 0.002, alpha: 0.05, better: 'lower' })).toThrow(
      /baseline rate 0.999 \+ margin 0.002 is outside \[0, 1\]/,
    );
    expect(() => fixedHorizonTrials({ p0: 1.5, margin: 0.002, alpha: 0.05, better: 'lower' })).toThrow(
      /baseline rate must be a proportion/,
    );
    expect(() => fixedHorizonTrials({ p0: 0.01, margin: 0.002, alpha: 0.6, better: 'lower' })).toThrow(
      /alpha must be in \(0, 0.5\]/,
    );
  });
});

describe('time to reach a sample size', () => {
  it('is limited by the smaller share', () => {
    // 18,436 per side at 40 req/s with a 5% canary: the candidate gets 2 req/s → 9,218 s.
    expect(secondsToTrials(18436, { requestsPerSecond: 40, candidateShare: 0.05 })).toBeCloseTo(9218, 9);
    // against: baseline — both sides at 5%.
    expect(secondsToTrials(18436, { requestsPerSecond: 40, candidateShare: 0.05, championShare: 0.05 })).toBeCloseTo(
      9218,
      9,
    );
    // A 60% ramp: the champion's 40% is the bottleneck → 18436 / 16 s.
    expect(secondsToTrials(18436, { requestsPerSecond: 40, candidateShare: 0.6 })).toBeCloseTo(1152.25, 9);
    expect(secondsToTrials(100, { requestsPerSecond: 0, candidateShare: 0.05 })).toBeNull();
    expect(() => secondsToTrials(100, { requestsPerSecond: -1, candidateShare: 0.05 })).toThrow(/request rate/);
  });
});
