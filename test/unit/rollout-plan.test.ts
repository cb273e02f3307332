import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readGitConfig, readRolloutConfig } from '../../src/core/rollout/plan.js';

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
    expect(c.plans.standard!.map((s) => `${s.stage}:${s.weight ?? s.mirror ?? ''}`)).toEqual([
      'shadow:100',
      'canary:5',
      'ramp:25',
      'ramp:50',
      'full:',
    ]);
    expect(c.plans.standard![0]!.minDurationMs).toBe(3_600_000);
    expect(c.plans.fast![0]).toMatchObject({ weight: 10, minDurationMs: 900_000, checks: ['errors'], auto: true });
  });
  it.each([
    [
      'kserve with a shadow stage',
      'serving:\n  fraud: { adapter: kserve, files: [a.yaml] }\n',
      /serving.fraud: plan standard has a shadow stage, which kserve cannot do on its own; use the istio adapter, or drop the shadow stage/,
    ],
    [
      'a plan that does not end at full',
      'rollout:\n  plans:\n    p: [{ stage: canary, weight: 5 }]\n',
      /rollout.plans.p: the last stage must be full/,
    ],
    [
      'an unknown check',
      'rollout:\n  plans:\n    p: [{ stage: canary, weight: 5, checks: [nope] }, { stage: full }]\n',
      /unknown check "nope"/,
    ],
    [
      'a canary without weight',
      'rollout:\n  plans:\n    p: [{ stage: canary }, { stage: full }]\n',
      /a canary stage needs weight/,
    ],
    [
      'decreasing weights',
      'rollout:\n  plans:\n    p: [{ stage: ramp, weight: 50 }, { stage: ramp, weight: 25 }, { stage: full }]\n',
      /weights must not decrease \(25 after 50\)/,
    ],
    ['an unknown adapter', 'serving:\n  fraud: { adapter: nginx, files: [a.yaml] }\n', /serving.fraud.adapter/],
    ['an unknown plan', 'serving:\n  fraud: { adapter: istio, files: [a.yaml], plan: slow }\n', /unknown plan "slow"/],
    [
      'an unknown key in a stage',
      'rollout:\n  plans:\n    p: [{ stage: canary, weigth: 5 }, { stage: full }]\n',
      'mlctl.yaml: rollout.plans.p[0]: unknown key "weigth"; use stage, mirror, weight, minDuration, checks, auto',
    ],
    [
      'a mirror above 100',
      'rollout:\n  plans:\n    p: [{ stage: shadow, mirror: 150 }, { stage: full }]\n',
      /rollout.plans.p\[0\].mirror: must be a number from .* to 100, got 150/,
    ],
    [
      'a fractional weight',
      'rollout:\n  plans:\n    p: [{ stage: canary, weight: 2.5 }, { stage: full }]\n',
      /rollout.plans.p\[0\].weight: must be a whole number from 1 to 99, got 2.5/,
    ],
    [
      'a check that is neither prometheus nor command',
      'rollout:\n  checks:\n    c: { max: 1 }\n',
      /rollout.checks.c: needs prometheus: \{ url, query \} or command/,
    ],
    [
      'a prometheus url that is not one',
      'rollout:\n  checks:\n    c: { prometheus: { url: prometheus, query: up } }\n',
      /rollout.checks.c.prometheus.url: must be a URL/,
    ],
    [
      'serving files that are not a list',
      'serving:\n  fraud: { adapter: istio, files: a.yaml }\n',
      /serving.fraud.files: must be a list of at least 1 item/,
    ],
    [
      'a bad duration',
      'rollout:\n  plans:\n    p: [{ stage: canary, weight: 5, minDuration: soon }, { stage: full }]\n',
      /minDuration: invalid duration "soon"/,
    ],
  ])('rejects %s', (_n, text, message) => {
    expect(() => cfg(text)).toThrow(message);
  });
  it('reads git: with defaults, and rejects a wrong type', () => {
    expect(readGitConfig(undefined, 'mlctl.yaml')).toMatchObject({ commit: true, push: false, remote: 'origin' });
    expect(readGitConfig({ push: true, remote: 'upstream' }, 'mlctl.yaml')).toMatchObject({
      commit: true,
      push: true,
      remote: 'upstream',
      mode: 'commit',
    });
    expect(() => readGitConfig({ push: 'yes' }, 'mlctl.yaml')).toThrow('mlctl.yaml: git.push: must be true or false');
  });
});
