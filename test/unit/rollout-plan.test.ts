import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readRolloutConfig } from '../../src/core/rollout/plan.js';

const cfg = (text: string) => readRolloutConfig(parse(text), 'mlctl.yaml');

describe('rollout plans', () => {
  it('has a built-in standard plan and reads the documented shape', () => {
    const c = cfg(`
serving:
  fraud: { adapter: istio, files: [deploy/fraud/vs.yaml], plan: standard }
  churn: { adapter: kserve, files: [deploy/churn/isvc.yaml], plan: fast }
rollout:
  plans:
    fast:
      - { stage: canary, weight: 10, minDuration: 15m, checks: [errors], auto: true }
      - { stage: full }
  checks:
    errors: { prometheus: { url: "http://127.0.0.1:9090", query: "sum(rate(errors[5m]))", max: 0.01 } }
    latency: { command: "./check-latency.sh {model} {version}" }
`);
    expect(c.plans.standard!.map((s) => `${s.stage}:${s.weight ?? s.mirror ?? ''}`)).toEqual(['shadow:100', 'canary:5', 'ramp:25', 'ramp:50', 'full:']);
    expect(c.plans.standard![0]!.minDurationMs).toBe(3_600_000);
    expect(c.plans.fast![0]).toMatchObject({ weight: 10, minDurationMs: 900_000, checks: ['errors'], auto: true });
  });
  it.each([
    ['kserve with a shadow stage', 'serving:\n  fraud: { adapter: kserve, files: [a.yaml] }\n', /serving.fraud: plan standard has a shadow stage, which kserve cannot do on its own; use the istio adapter, or drop the shadow stage/],
    ['a plan that does not end at full', 'rollout:\n  plans:\n    p: [{ stage: canary, weight: 5 }]\n', /rollout.plans.p: the last stage must be full/],
    ['an unknown check', 'rollout:\n  plans:\n    p: [{ stage: canary, weight: 5, checks: [nope] }, { stage: full }]\n', /unknown check "nope"/],
    ['a canary without weight', 'rollout:\n  plans:\n    p: [{ stage: canary }, { stage: full }]\n', /a canary stage needs weight/],
    ['decreasing weights', 'rollout:\n  plans:\n    p: [{ stage: ramp, weight: 50 }, { stage: ramp, weight: 25 }, { stage: full }]\n', /weights must not decrease \(25 after 50\)/],
    ['an unknown adapter', 'serving:\n  fraud: { adapter: nginx, files: [a.yaml] }\n', /serving.fraud.adapter/],
    ['an unknown plan', 'serving:\n  fraud: { adapter: istio, files: [a.yaml], plan: slow }\n', /unknown plan "slow"/],
    ['a bad duration', 'rollout:\n  plans:\n    p: [{ stage: canary, weight: 5, minDuration: soon }, { stage: full }]\n', /minDuration: invalid duration "soon"/],
  ])('rejects %s', (_n, text, message) => {
    expect(() => cfg(text)).toThrow(message);
  });
});
