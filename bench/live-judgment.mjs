// Live canary judgment (issue 13): seeded simulations of staged rollouts judged at every look.
// A/A: how often the normal-mixture confidence sequence aborts a candidate as good as the champion
// over 50 looks, against the naive fixed-horizon one-sided z-test repeated at the same looks (target ≤ 5%).
// 2× worse: median candidate trials until the abort, against the fixed-horizon sample size per side that
// `rollout plan` shows (R's power.prop.test, power 0.8, equal sides), which a one-shot test would have to
// wait for before deciding anything. (With the champion's 19× larger side a one-shot test would need
// about half as many candidate trials; the sequence pays for being valid at every look.)
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './lib.mjs';

const ROLLOUTS = Number(process.env.BENCH_LIVE_ROLLOUTS ?? 10_000);
const LOOKS = 50;
// Traffic: 40 req/s to the model, a 5% canary, `rollout tick` every 15 minutes.
const RPS = 40;
const SHARE = 0.05;
const TICK_S = 15 * 60;
const CAND = Math.round(RPS * SHARE * TICK_S); // 1,800 per look
const CHAMP = Math.round(RPS * (1 - SHARE) * TICK_S); // 34,200 per look
const P0 = 0.005; // champion error rate
const ALPHA = 0.05;
const MARGIN = 0.002;
const TAU = 0.002; // = the margin, the default

const pct = (x) => `${(100 * x).toFixed(2)}%`;
const n = (x) => (x === null ? 'never (median)' : x.toLocaleString('en-US'));
const hours = (trials) => `${(trials / (RPS * SHARE) / 3600).toFixed(1)} h`;

export async function run() {
  const lib = await import(pathToFileURL(join(ROOT, 'dist/lib.js')).href);
  console.error(
    `live judgment: ${ROLLOUTS.toLocaleString('en-US')} rollouts × ${LOOKS} looks; ${RPS} req/s, ${SHARE * 100}% canary, ` +
      `a look every ${TICK_S / 60} min (${CAND} candidate + ${CHAMP} champion requests per look, ${(LOOKS * TICK_S) / 3600} h); ` +
      `champion error rate ${pct(P0)}, alpha ${ALPHA}, tau ${TAU}, min_trials 1000`,
  );
  const base = { rollouts: ROLLOUTS, looks: LOOKS, candidatePerLook: CAND, championPerLook: CHAMP, seed: 20261123 };
  const params = (margin) => ({ better: 'lower', margin, alpha: ALPHA, tau: TAU, minTrials: 1000 });
  const t0 = process.hrtime.bigint();
  // A/A at margin 0: the boundary of "candidate not worse", where a false abort is most likely.
  const aa = lib.simulateRollouts({ ...base, candidateRate: P0, championRate: P0, params: params(0) });
  const bad = lib.simulateRollouts({ ...base, candidateRate: 2 * P0, championRate: P0, params: params(MARGIN) });
  const good = lib.simulateRollouts({ ...base, candidateRate: P0, championRate: P0, params: params(MARGIN) });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const fixed = lib.fixedHorizonTrials({ p0: P0, margin: MARGIN, alpha: ALPHA, better: 'lower' });
  const rows = [
    {
      name: `live A/A false aborts, confidence sequence (${LOOKS} looks)`,
      value: pct(aa.sequence.abortRate),
      baseline: `repeated z-test ${pct(aa.naive.abortRate)}`,
      ratio: aa.sequence.abortRate / aa.naive.abortRate,
      target: '≤ 5%',
      ok: aa.sequence.abortRate <= 0.05,
    },
    {
      name: `live A/A false aborts, repeated fixed-horizon z-test`,
      value: pct(aa.naive.abortRate),
      baseline: `nominal ${pct(ALPHA)}`,
      ratio: aa.naive.abortRate / ALPHA,
    },
    {
      name: `live 2× worse (${pct(2 * P0)} vs ${pct(P0)}): median candidate trials to abort`,
      value: `${n(bad.sequence.medianTrialsToAbort)} (${hours(bad.sequence.medianTrialsToAbort)}, ${pct(bad.sequence.abortRate)} aborted)`,
      baseline: `fixed horizon ${n(fixed)} (plan)`,
      ratio: bad.sequence.medianTrialsToAbort / fixed,
      target: '< fixed horizon',
      ok: bad.sequence.medianTrialsToAbort !== null && bad.sequence.medianTrialsToAbort < fixed,
    },
    {
      name: `live 2× worse: median candidate trials to abort, repeated z-test`,
      value: `${n(bad.naive.medianTrialsToAbort)} (${hours(bad.naive.medianTrialsToAbort)})`,
      baseline: `its A/A false aborts ${pct(aa.naive.abortRate)}`,
    },
    {
      name: `live equal candidate, margin ${MARGIN}: median candidate trials to pass`,
      value: `${n(good.sequence.medianTrialsToPass)} (${hours(good.sequence.medianTrialsToPass)}, ${pct(good.sequence.abortRate)} aborted)`,
      baseline: `fixed horizon ${n(fixed)}`,
      ratio: good.sequence.medianTrialsToPass / fixed,
    },
    { name: 'live simulation time (3 scenarios)', value: `${Math.round(ms)} ms` },
  ];
  return rows;
}
