import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/core/config/index.js';
import { configDoc } from '../../src/core/config/file.js';
import { parseYamlDoc } from '../../src/core/inputs/located-doc.js';

/** mlctl.yaml from text, every section validated as every command does. */
const settings = (text: string) => readSettings(configDoc(parseYamlDoc(text, 'mlctl.yaml')), '/project');
const cfg = (text: string) => settings(text).rollout;

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
  it('reads the model servers’ keys: readiness, labels, the router companion', () => {
    const c = cfg(`
serving:
  fraud:
    adapter: tfserving
    files: [deploy/models.config]
    status_url: http://tfserving:8501
    label_delay: 90s
    allow_unavailable_labels: true
    router: { adapter: istio, files: [deploy/fraud-vs.yaml] }
  scorer: { adapter: triton, files: [models/scorer/config.pbtxt], plan: noshadow }
rollout:
  plans:
    noshadow: [{ stage: canary, weight: 5 }, { stage: full }]
`);
    expect(c.serving.fraud).toEqual({
      adapter: 'tfserving',
      files: ['deploy/models.config'],
      plan: 'standard',
      statusUrl: 'http://tfserving:8501',
      labelDelayMs: 90_000,
      unloadAfterMs: 3_600_000,
      allowUnavailableLabels: true,
      router: { adapter: 'istio', files: ['deploy/fraud-vs.yaml'] },
    });
    expect(c.serving.scorer).toEqual({
      adapter: 'triton',
      files: ['models/scorer/config.pbtxt'],
      plan: 'noshadow',
      labelDelayMs: 120_000,
      unloadAfterMs: 3_600_000,
    });
    expect(cfg('serving:\n  fraud: { adapter: istio, files: [a.yaml] }\n').serving.fraud).toEqual({
      adapter: 'istio',
      files: ['a.yaml'],
      plan: 'standard',
    });
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
      'mlctl.yaml: rollout.plans.p[0]: unknown key "weigth"; use stage, mirror, weight, minDuration, maxDuration, onTimeout, checks, auto (line 3)',
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
      'a model server with a shadow stage and no router',
      'serving:\n  fraud: { adapter: tfserving, files: [models.config] }\n',
      /serving.fraud: plan standard has a shadow stage, but tfserving mirrors no traffic itself; name a router/,
    ],
    [
      'a model server key on a YAML adapter',
      'serving:\n  fraud: { adapter: istio, files: [a.yaml], label_delay: 1m }\n',
      'mlctl.yaml: serving.fraud.label_delay: only the tfserving and triton adapters take label_delay',
    ],
    [
      'labels options on Triton',
      'serving:\n  fraud: { adapter: triton, files: [c.pbtxt], allow_unavailable_labels: true }\n',
      'mlctl.yaml: serving.fraud.allow_unavailable_labels: Triton has no version labels; remove it',
    ],
    [
      'a router that cannot split traffic',
      'serving:\n  fraud: { adapter: tfserving, files: [m.config], router: { adapter: kserve, files: [i.yaml] } }\n',
      /serving.fraud.router.adapter: must be one of istio, generic, got "kserve"/,
    ],
    [
      'a router editing the model server’s file',
      'serving:\n  fraud: { adapter: tfserving, files: [m.config], router: { adapter: istio, files: [m.config] } }\n',
      /serving.fraud.router.files: m.config is also in serving.fraud.files/,
    ],
    [
      'a status_url that is not a URL',
      'serving:\n  fraud: { adapter: tfserving, files: [m.config], status_url: tfserving }\n',
      /serving.fraud.status_url: must be a URL such as http:\/\/tfserving:8501, got "tfserving"/,
    ],
    [
      'a bad label_delay',
      'serving:\n  fraud: { adapter: tfserving, files: [m.config], label_delay: later }\n',
      /serving.fraud.label_delay: invalid duration "later"/,
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
    expect(settings('registry: r.db\n').git).toMatchObject({ commit: true, push: false, remote: 'origin' });
    expect(settings('git: { push: true, remote: upstream }\n').git).toMatchObject({
      commit: true,
      push: true,
      remote: 'upstream',
    });
    expect(() => settings('git:\n  push: "yes"\n')).toThrow('mlctl.yaml: git.push: must be true or false (line 2)');
  });
});

describe('the other sections, read by hand like the rest (no schema library on the config path)', () => {
  it('reads gates:, adr: and gc: with their defaults', () => {
    const s = settings(
      'gates:\n  policy: policy/gates.yaml\n  eval: { command: "python eval.py {model_dir} {output}", timeout: 10m }\nadr: { dir: decisions, template: madr }\ngc: { retention: 7d }\n',
    );
    expect(s.gates).toEqual({
      policy: 'policy/gates.yaml',
      eval: { command: 'python eval.py {model_dir} {output}', dataset: undefined, timeoutMs: 600_000 },
    });
    expect(s.adr).toEqual({ dir: 'decisions', template: 'madr' });
    expect(s.gc).toEqual({ retention: '7d', retentionMs: 7 * 86_400_000 });
    expect(settings('registry: r.db\n')).toMatchObject({
      gates: {},
      adr: { template: 'nygard' },
      gc: { retention: '30d', retentionMs: 30 * 86_400_000 },
    });
  });
  it.each([
    ['gates:\n  polcy: g.yaml\n', 'mlctl.yaml: gates: unknown key "polcy"; use policy, eval (line 2)'],
    [
      'gates:\n  eval: { dataset: d.csv }\n',
      /gates.eval.command: must be a command line with \{model_dir\} and \{output\} \(line 2\)/,
    ],
    [
      'gates:\n  eval:\n    command: x\n    timeout: soon\n',
      'mlctl.yaml: gates.eval.timeout: invalid duration "soon"; use e.g. 90s, 30m, 1h30m, 7d (line 4)',
    ],
    ['adr:\n  template: arc42\n', 'mlctl.yaml: adr.template: must be one of nygard, madr, got "arc42" (line 2)'],
    ['gc:\n  retention: 30\n', 'mlctl.yaml: gc.retention: must be a duration such as 30d (line 2)'],
  ])('rejects %j', (text, message) => {
    expect(() => settings(text)).toThrow(message);
  });
});
