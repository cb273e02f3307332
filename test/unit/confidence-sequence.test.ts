import { describe, expect, it } from 'vitest';
import {
  InvalidCountsError,
  look,
  mixtureRadius,
  type LookResult,
  type RunningState,
  type SequenceParams,
  type SideCounts,
} from '../../src/core/stats/confidence-sequence.js';
import { simulateRollouts } from '../../src/core/stats/simulate.js';

/*
 * Reference values: computed independently in Python 3 (math module only) from the formulas:
 *   d = s·(ec/nc − eb/nb), s = +1 for better: lower, −1 for higher;
 *   V = Σ p(1−p)/n with p = e/n, except p = 0.5/n when e = 0 and 1 − 0.5/n when e = n;
 *   r = sqrt(2V(V+τ²)/τ² · (ln(1/α) + ½ ln((V+τ²)/V)));
 *   running lower = max of d − r, running upper = min of d + r over the looks with nc, nb ≥ min_trials;
 *   fail if lower > margin, pass if upper < margin, else inconclusive.
 * The printed Python floats (repr) are pasted below.
 */

const close = (actual: number | null | undefined, expected: number, rel = 1e-12) => {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
};

type Row = [cand: SideCounts, champ: SideCounts];
const side = (events: number, trials: number): SideCounts => ({ events, trials });

function runLooks(rows: Row[], params: SequenceParams): LookResult[] {
  let state: RunningState | null = null;
  return rows.map(([c, b]) => {
    const r = look(c, b, params, state, 'errors-vs-champion');
    state = r.state;
    return r;
  });
}

describe('normal-mixture confidence sequence', () => {
  it('radius follows the formula', () => {
    // Python: radius(3.218371875e-06, 0.002, 0.05)
    close(mixtureRadius(3.218371875e-6, 0.002, 0.05), 0.006284015352571368);
    // Wider tau at small V is wider: the sequence is tightest where its radius is about tau.
    expect(mixtureRadius(1e-7, 0.01, 0.05)).toBeGreaterThan(mixtureRadius(1e-7, 0.001, 0.05));
  });

  it('better: lower — running intersection over seven looks, first look below min_trials', () => {
    const res = runLooks(
      [
        [side(3, 600), side(60, 11400)],
        [side(12, 2000), side(95, 20000)],
        [side(30, 4000), side(190, 40000)],
        [side(52, 6000), side(300, 60000)],
        [side(54, 8000), side(380, 80000)],
        [side(95, 16000), side(760, 160000)],
        [side(180, 32000), side(1520, 320000)],
        [side(310, 64000), side(3040, 640000)],
      ],
      { better: 'lower', margin: 0.002, alpha: 0.05, tau: 0.002, minTrials: 1000 },
    );
    // Look 1: 600 candidate trials < 1000 → inconclusive, not counted, no state yet.
    expect(res[0]).toMatchObject({ verdict: 'inconclusive', counted: false, radius: null, state: null });
    close(res[0]!.estimate, 3 / 600 - 60 / 11400);
    // Python: d=0.00125 V=3.218371875e-06 r=0.006284015352571368 → first counted look.
    close(res[1]!.estimate, 0.0012500000000000002);
    close(res[1]!.radius, 0.006284015352571368);
    close(res[1]!.state!.lower, -0.005034015352571368);
    close(res[1]!.state!.upper, 0.007534015352571369);
    expect(res[1]!.state!.looks).toBe(1);
    // Look 3 (counted 2): its own upper 0.007332106641861395 replaces the first.
    close(res[2]!.radius, 0.0045821066418613955);
    close(res[2]!.state!.upper, 0.007332106641861395);
    // Look 4: its own upper 0.00756692386210416 is wider, so the running upper stays 0.007332106641861395.
    close(res[3]!.interval!.upper, 0.00756692386210416);
    close(res[3]!.state!.upper, 0.007332106641861395);
    close(res[3]!.state!.lower, -0.00023359052877082844);
    // Looks 5–7: their lowers (−0.000906…, −0.000730…, −0.000468…, −0.000819…) are all below look 4's,
    // so the running lower stays −0.00023359052877082844 to the end.
    for (const r of res.slice(4)) close(r.state!.lower, -0.00023359052877082844);
    close(res[4]!.state!.upper, 0.004906020527167972);
    close(res[5]!.state!.upper, 0.0031050887997583383);
    close(res[6]!.state!.upper, 0.0022182183499586047);
    expect(res.slice(1, 7).map((r) => r.verdict)).toEqual(Array(6).fill('inconclusive'));
    // Look 8: d=9.375e-05 r=0.0009137345779025506, upper 0.0010074845779025508 < margin 0.002 → pass.
    close(res[7]!.estimate, 9.375000000000008e-5, 1e-9);
    close(res[7]!.radius, 0.0009137345779025506);
    close(res[7]!.state!.upper, 0.0010074845779025508);
    expect(res[7]!).toMatchObject({ verdict: 'pass', counted: true });
    expect(res[7]!.state!.looks).toBe(7);
    expect(res[7]!.reason).toMatch(/within the margin 0.002/);
  });

  it('better: higher — d̂ is champion minus candidate, the running upper is kept from the first look', () => {
    const res = runLooks(
      [
        [side(230, 2000), side(2100, 20000)],
        [side(420, 4000), side(4300, 40000)],
        [side(600, 6000), side(6450, 60000)],
        [side(790, 8000), side(8600, 80000)],
      ],
      { better: 'higher', margin: 0.005, alpha: 0.05, tau: 0.01, minTrials: 1000 },
    );
    // Python: look 1 d=−0.010000000000000009 (the candidate converts better), r=0.024641117358946276.
    close(res[0]!.estimate, -0.010000000000000009, 1e-9);
    close(res[0]!.radius, 0.024641117358946276);
    const uppers = [0.014641117358946267, 0.014641117358946267, 0.014641117358946267, 0.014641117358946267];
    const lowers = [-0.03464111735894629, -0.013211502702028283, -0.004897184570519146, -0.00190504674219537];
    res.forEach((r, i) => {
      close(r.state!.upper, uppers[i]!);
      close(r.state!.lower, lowers[i]!);
      expect(r.verdict).toBe('inconclusive');
    });
    close(res[3]!.interval!.upper, 0.019405046742195356);
  });

  it('fails once the running lower bound passes the margin', () => {
    const res = runLooks(
      [
        [side(20, 2000), side(100, 20000)],
        [side(45, 4000), side(200, 40000)],
        [side(70, 6000), side(300, 60000)],
        [side(95, 8000), side(400, 80000)],
      ],
      { better: 'lower', margin: 0.002, alpha: 0.05, tau: 0.002, minTrials: 1000 },
    );
    expect(res.map((r) => r.verdict)).toEqual(['inconclusive', 'inconclusive', 'fail', 'fail']);
    // Python: look 3 lower 0.002048020609839326 > 0.002; look 4 lower 0.002953445953965384.
    close(res[2]!.state!.lower, 0.002048020609839326);
    close(res[3]!.state!.lower, 0.002953445953965384);
    close(res[3]!.state!.upper, 0.010796554046034617);
    expect(res[2]!.reason).toMatch(/more than the margin 0.002/);
  });

  it('mirrors exactly: higher on the non-events gives the same interval as lower on the events', () => {
    const p = { margin: 0.002, alpha: 0.05, tau: 0.002, minTrials: 1000 };
    const lower = look(side(52, 6000), side(300, 60000), { ...p, better: 'lower' }, null);
    const higher = look(side(6000 - 52, 6000), side(60000 - 300, 60000), { ...p, better: 'higher' }, null);
    close(higher.estimate, lower.estimate!, 1e-9);
    close(higher.radius, lower.radius!, 1e-9);
  });

  it('zero events on both sides: half-event variance floor instead of a zero-width interval', () => {
    const p: SequenceParams = { better: 'lower', margin: 0.002, alpha: 0.05, tau: 0.002, minTrials: 1000 };
    // Python: V = 2·(0.0005·0.9995/1000) = 9.995e-07, r = 0.0030815463200519985 → not yet a pass.
    const a = look(side(0, 1000), side(0, 1000), p, null);
    expect(a.estimate).toBe(0);
    close(a.radius, 0.0030815463200519985);
    expect(a.verdict).toBe('inconclusive');
    // With 10,000 per side: r = 0.0003466242529096477 < margin → pass.
    const b = look(side(0, 10000), side(0, 10000), p, a.state);
    close(b.radius, 0.0003466242529096477);
    expect(b.verdict).toBe('pass');
    // All events on both sides is the same degenerate case, floored the same way.
    close(look(side(1000, 1000), side(1000, 1000), p, null).radius, 0.0030815463200519985);
  });

  it('below min_trials on either side the look neither counts nor changes the state', () => {
    const p: SequenceParams = { better: 'lower', margin: 0.002, alpha: 0.05, tau: 0.002, minTrials: 1000 };
    const prev: RunningState = { lower: -0.001, upper: 0.003, looks: 4 };
    const r = look(side(5, 5000), side(0, 999), p, prev);
    expect(r).toMatchObject({ verdict: 'inconclusive', counted: false, interval: null, state: prev });
    expect(r.reason).toMatch(/not enough traffic yet: 5000 candidate and 999 champion trials, 1000 needed/);
    expect(look(side(0, 0), side(0, 0), p, null).estimate).toBeNull();
  });

  it('an empty intersection fails rather than passes (safety first)', () => {
    const p: SequenceParams = { better: 'lower', margin: 0.002, alpha: 0.05, tau: 0.002, minTrials: 1000 };
    const r = look(side(0, 100000), side(0, 100000), p, { lower: 0.0025, upper: 0.01, looks: 3 });
    expect(r.state!.lower).toBeGreaterThan(r.state!.upper);
    expect(r.verdict).toBe('fail');
  });

  it.each([
    [side(1001, 1000), side(1, 1000), /candidate events \(1001\) exceed trials \(1000\)/],
    [side(1, 1000), side(-1, 1000), /champion events is negative \(-1\)/],
    [side(1, 1000.5), side(1, 1000), /candidate trials is not a whole number \(1000.5\)/],
    [side(Number.NaN, 1000), side(1, 1000), /candidate events is NaN, not a finite number/],
    [side(1, 1000), side(1, Infinity), /champion trials is Infinity, not a finite number/],
  ])('bad counts %# → InvalidCountsError naming the check', (c, b, msg) => {
    const p: SequenceParams = { better: 'lower', margin: 0.002, alpha: 0.05, tau: 0.002, minTrials: 1000 };
    let err: unknown;
    try {
      look(c, b, p, null, 'errors-vs-champion');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidCountsError);
    expect((err as InvalidCountsError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/^check errors-vs-champion: /);
    expect((err as Error).message).toMatch(msg);
  });
});

describe('A/A simulation (seeded)', () => {
  // 5% canary at 40 req/s, one look per 15-minute tick: 1,800 candidate and 34,200 champion requests per
  // look; both at a 0.5% error rate; margin 0 (any significant harm aborts), alpha 0.05.
  const scenario = {
    rollouts: 1000,
    looks: 50,
    candidateRate: 0.005,
    championRate: 0.005,
    candidatePerLook: 1800,
    championPerLook: 34200,
    params: { better: 'lower', margin: 0, alpha: 0.05, tau: 0.002, minTrials: 1000 } as SequenceParams,
    seed: 13,
  };

  it('the confidence sequence aborts ≤ 5% of equal candidates; the repeated z-test far more', () => {
    const r = simulateRollouts(scenario);
    expect(r.sequence.abortRate).toBeLessThanOrEqual(0.05);
    // The fixed-horizon test is only valid at one look; at 50 it aborts several times its nominal 5%.
    expect(r.naive.abortRate).toBeGreaterThan(0.1);
    expect(r.naive.abortRate).toBeGreaterThan(4 * Math.max(r.sequence.abortRate, 0.01));
    // Deterministic: the same seed gives the same figures.
    expect(simulateRollouts(scenario)).toEqual(r);
  });

  it('aborts a candidate twice as bad as the champion in every rollout', () => {
    const r = simulateRollouts({
      ...scenario,
      rollouts: 200,
      candidateRate: 0.01,
      params: { ...scenario.params, margin: 0.002 },
    });
    expect(r.sequence.abortRate).toBe(1);
    expect(r.sequence.medianTrialsToAbort).toBeGreaterThan(0);
    expect(r.sequence.medianTrialsToAbort! % 1800).toBe(0);
  });
});
