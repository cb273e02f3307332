import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { renderServing } from '../../src/core/rollout/serving-files.js';
import { readTfServingState, tfservingAdapter } from '../../src/core/serving/tfserving.js';
import { readTritonVersions, tritonAdapter } from '../../src/core/serving/triton.js';
import { twoPushViolations, type LabelState } from '../../src/core/serving/two-push.js';
import { afterWindowTarget } from '../../src/core/serving/version-policy.js';
import type { TrafficTarget } from '../../src/core/serving/types.js';
import { haveProtoc, haveProtos, protocCheck } from '../support/protoc.js';
import { CONFIG_PBTXT, THREE_MODELS, example } from '../support/textproto-samples.js';

const v = (n: number) => ({ version: n, uri: `s3://ml-artifacts/team/models/fraud/${n}/` });
const at = {
  shadow: { model: 'fraud', champion: v(1), candidate: v(2), weight: 0, mirror: 100 },
  canary: { model: 'fraud', champion: v(1), candidate: v(2), weight: 5 },
  ramp: { model: 'fraud', champion: v(1), candidate: v(2), weight: 50 },
  full: { model: 'fraud', champion: v(1), candidate: v(2), weight: 100 },
  rollback: { model: 'fraud', champion: v(1) },
} satisfies Record<string, TrafficTarget>;

const state = (text: string) => {
  const s = readTfServingState(text, 'models.config', 'fraud');
  return { loaded: s.loaded, labels: Object.fromEntries(s.labels) };
};

/** One commit: the adapter's output, checked against the real schema and the two-push rule. */
function commit(text: string, target: TrafficTarget, allowUnavailableLabels = false) {
  const r = tfservingAdapter.apply(text, 'models.config', target, { allowUnavailableLabels });
  if (haveProtoc && haveProtos) expect(protocCheck('tfserving', r.text)).toBeNull();
  const before: LabelState = readTfServingState(text, 'models.config', 'fraud');
  const after: LabelState = readTfServingState(r.text, 'models.config', 'fraud');
  expect(twoPushViolations(before, after, allowUnavailableLabels)).toEqual([]);
  return { ...r, state: state(r.text) };
}

// The other models and the comments around fraud's entry: every output keeps them byte for byte.
const head = THREE_MODELS.slice(0, THREE_MODELS.indexOf('  config {\n    name: "fraud"'));
const tail = THREE_MODELS.slice(THREE_MODELS.indexOf('\n  config { name: "ranker"'));

describe.skipIf(!haveProtoc || !haveProtos)(
  'text-proto serving files validate with the real schemas (skipped only without protoc or ../shared/protos)',
  () => {
    it('the examples and samples themselves parse with protoc', () => {
      expect(protocCheck('tfserving', THREE_MODELS)).toBeNull();
      expect(protocCheck('tfserving', example('tfserving.models.config'))).toBeNull();
      expect(protocCheck('triton', CONFIG_PBTXT)).toBeNull();
      expect(protocCheck('triton', example('triton.config.pbtxt'))).toBeNull();
      expect(protocCheck('tfserving', 'model_config_list { config { name: 1 } }')).toMatch(/input:1:/);
    });
  },
);

describe('tfserving: a rollout on a models.config holding three models', () => {
  it('walks shadow → canary → ramp → full → unload, labels one commit behind the loads', () => {
    const s1 = commit(THREE_MODELS, at.shadow);
    // The shadow commit loads 2; canary cannot name it until it is loaded.
    expect(s1.state).toEqual({ loaded: [1, 2], labels: { stable: 1 } });
    expect(s1.pendingLabels).toEqual([{ label: 'canary', version: 2 }]);
    expect(s1.notes.join('\n')).toMatch(/label canary moves to version 2 in a later commit/);

    const s2 = commit(s1.text, at.shadow);
    expect(s2.state).toEqual({ loaded: [1, 2], labels: { stable: 1, canary: 2 } });
    expect(s2.pendingLabels).toEqual([]);
    expect(s2.text).toContain('    version_labels {\n      key: "canary"\n      value: 2\n    }\n');

    // Canary and ramp change the router's split, not the model server's file.
    expect(commit(s2.text, at.canary).text).toBe(s2.text);
    expect(commit(s2.text, at.ramp).text).toBe(s2.text);

    // Full moves stable while both versions are still loaded: one commit, since 2 is loaded already.
    const full = commit(s2.text, at.full);
    expect(full.state).toEqual({ loaded: [1, 2], labels: { stable: 2, canary: 2 } });
    expect(full.pendingLabels).toEqual([]);

    // After the rollback window the engine asks for the settled target: 1 is unloaded.
    const done = commit(full.text, afterWindowTarget(at.full));
    expect(done.state).toEqual({ loaded: [2], labels: { stable: 2 } });
    expect(done.text).toContain(
      '    model_version_policy {\n      specific {\n        versions: 2  # champion\n      }\n    }\n    version_labels {\n      key: "stable"\n      value: 2\n    }\n  }\n',
    );
    for (const out of [s1, s2, full, done]) {
      expect(out.text.startsWith(head)).toBe(true);
      expect(out.text.endsWith(tail)).toBe(true);
    }
  });

  it('rollback during the rollout or within full’s window moves stable back in one commit', () => {
    const s2 = commit(commit(THREE_MODELS, at.shadow).text, at.shadow);
    const fromCanary = commit(s2.text, at.rollback);
    expect(fromCanary.state).toEqual({ loaded: [1], labels: { stable: 1 } });
    expect(fromCanary.pendingLabels).toEqual([]);
    expect(fromCanary.text).toBe(THREE_MODELS);

    const fromFull = commit(commit(s2.text, at.full).text, at.rollback);
    expect(fromFull.state).toEqual({ loaded: [1], labels: { stable: 1 } });
  });

  it('rollback after the old version was unloaded takes two commits: load it, then move stable', () => {
    const s2 = commit(commit(THREE_MODELS, at.shadow).text, at.shadow);
    const done = commit(commit(s2.text, at.full).text, afterWindowTarget(at.full));
    for (const allow of [false, true]) {
      const first = commit(done.text, at.rollback, allow);
      // Moving an existing label always waits, even where labels on unloaded versions are allowed.
      expect(first.state).toEqual({ loaded: [1, 2], labels: { stable: 2 } });
      expect(first.pendingLabels).toEqual([{ label: 'stable', version: 1 }]);
      const second = commit(first.text, at.rollback, allow);
      expect(second.state).toEqual({ loaded: [1], labels: { stable: 1 } });
      expect(second.pendingLabels).toEqual([]);
    }
  });

  it('allow_unavailable_labels lets a new label go into the loading commit', () => {
    const s1 = commit(THREE_MODELS, at.shadow, true);
    expect(s1.state).toEqual({ loaded: [1, 2], labels: { stable: 1, canary: 2 } });
    expect(s1.pendingLabels).toEqual([]);
  });

  it('an entry without policy, labels or base_path gets them in its own (inline) style; latest becomes specific', () => {
    const text =
      'model_config_list { config { name: "fraud" model_platform: "tensorflow" }, config { name: "other" base_path: "/m/o" model_platform: "tensorflow" } }\n';
    const s1 = commit(text, at.canary);
    expect(s1.text).toBe(
      'model_config_list { config { name: "fraud" base_path: "s3://ml-artifacts/team/models/fraud" model_platform: "tensorflow" model_version_policy { specific { versions: 1 versions: 2 } } }, config { name: "other" base_path: "/m/o" model_platform: "tensorflow" } }\n',
    );
    // The file did not say what was loaded (no specific policy): no label may name a version yet.
    expect(s1.pendingLabels).toEqual([
      { label: 'stable', version: 1 },
      { label: 'canary', version: 2 },
    ]);
    const s2 = commit(s1.text, at.canary);
    expect(s2.text).toContain(
      'model_version_policy { specific { versions: 1 versions: 2 } } version_labels { key: "stable" value: 1 } version_labels { key: "canary" value: 2 } }, config { name: "other"',
    );
    const latest = THREE_MODELS.replace(
      'model_version_policy {\n      specific {\n        versions: 1  # champion\n      }\n    }\n    version_labels {\n      key: "stable"\n      value: 1\n    }\n',
      'model_version_policy { latest { num_versions: 1 } }\n',
    );
    const l1 = commit(latest, at.canary);
    expect(l1.text).toContain(
      '    model_platform: "tensorflow"\n    model_version_policy {\n      specific {\n        versions: 1\n        versions: 2\n      }\n    }\n  }\n',
    );
  });

  it.each([
    [
      'malformed text',
      THREE_MODELS.replace('    name: "fraud"', '    name: "fraud'),
      at.canary,
      /^models\.config:14:11: unterminated string/,
    ],
    [
      'a model missing from the file',
      THREE_MODELS,
      {
        ...at.canary,
        model: 'payments',
        champion: { version: 1, uri: 's3://b/models/payments/1/' },
        candidate: undefined,
      },
      /^models\.config:3:1: model_config_list has no config with name: "payments"/,
    ],
    [
      'a label on a version the file does not load',
      THREE_MODELS.replace('      value: 1\n', '      value: 9\n'),
      at.canary,
      /^models\.config:24:14: version_labels "stable": version 9 is not loaded \(model_version_policy specific versions: 1\)/,
    ],
    [
      'the model configured twice',
      THREE_MODELS.replace('name: "ranker"', 'name: "fraud"'),
      at.canary,
      /^models\.config:28:10: a second config is named "fraud"/,
    ],
    ['no model_config_list', 'custom_model_config { }\n', at.canary, /^models\.config:1:1: custom_model_config/],
    [
      'versions materialized apart',
      THREE_MODELS,
      { ...at.canary, candidate: { version: 2, uri: 's3://elsewhere/models/fraud/2/' } },
      /different folders/,
    ],
    [
      'a version folder not named after the version',
      THREE_MODELS,
      { ...at.canary, candidate: { version: 2, uri: 's3://ml-artifacts/team/models/fraud/latest/' } },
      /does not end in \/2\//,
    ],
  ])('refuses %s with exit 2, naming the place', (_n, text, target, message) => {
    let err: unknown;
    try {
      tfservingAdapter.apply(text, 'models.config', target as TrafficTarget, { allowUnavailableLabels: false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
  });
});

describe('triton: config.pbtxt', () => {
  const tri = (text: string, target: TrafficTarget) => {
    const r = tritonAdapter.apply(text, 'config.pbtxt', target, { allowUnavailableLabels: false });
    if (haveProtoc && haveProtos) expect(protocCheck('triton', r.text)).toBeNull();
    expect(r.pendingLabels).toEqual([]);
    return { ...r, versions: readTritonVersions(r.text, 'config.pbtxt', 'fraud') };
  };
  const others = (text: string) => text.split('\n').filter((l) => !l.startsWith('version_policy'));

  it('loads both versions during the rollout, the candidate alone after full’s window, the champion after rollback', () => {
    const shadow = tri(CONFIG_PBTXT, at.shadow);
    expect(shadow.versions).toEqual([1, 2]);
    expect(shadow.text).toContain('version_policy: { specific: { versions: [1, 2] } }  # mlctl keeps this line\n');
    expect(others(shadow.text)).toEqual(others(CONFIG_PBTXT));
    expect(tri(shadow.text, at.canary).text).toBe(shadow.text);
    const full = tri(shadow.text, at.full);
    expect(full.versions).toEqual([1, 2]);
    expect(tri(full.text, afterWindowTarget(at.full)).versions).toEqual([2]);
    const back = tri(tri(shadow.text, at.ramp).text, at.rollback);
    expect(back.versions).toEqual([1]);
    expect(back.text).toBe(CONFIG_PBTXT);
  });

  it('adds a missing policy after the model’s identity, replaces another kind of policy in place', () => {
    const without = CONFIG_PBTXT.replace(/version_policy:.*\n/, '');
    expect(tri(without, at.canary).text).toContain(
      'max_batch_size: 64\nversion_policy: { specific: { versions: [1, 2] } }\ndynamic_batching',
    );
    const latest = CONFIG_PBTXT.replace(/version_policy:[^\n#]*/, 'version_policy: { latest: { num_versions: 2 } }  ');
    expect(tri(latest, at.canary).text).toContain('version_policy: { specific: { versions: [1, 2] } }  # mlctl');
    // A file without a name is the folder's model (Triton's default).
    expect(tri(CONFIG_PBTXT.replace('name: "fraud"\n', ''), at.canary).versions).toEqual([1, 2]);
  });

  it('refuses another model’s config and malformed text, naming the place', () => {
    expect(() =>
      tritonAdapter.apply(
        CONFIG_PBTXT,
        'config.pbtxt',
        { ...at.canary, model: 'churn' },
        { allowUnavailableLabels: false },
      ),
    ).toThrow(/^config\.pbtxt:2:7: name: this config\.pbtxt configures model "fraud", not "churn"/);
    expect(() =>
      tritonAdapter.apply(CONFIG_PBTXT.replace('[ 32 ]', '[ 32 '), 'config.pbtxt', at.canary, {
        allowUnavailableLabels: false,
      }),
    ).toThrow(/^config\.pbtxt:12:3: expected "," or "\]", found "}"/);
    expect(() =>
      tritonAdapter.apply(CONFIG_PBTXT.replace('versions: [1]', 'versions: [1.5]'), 'config.pbtxt', at.canary, {
        allowUnavailableLabels: false,
      }),
    ).toThrow(/^config\.pbtxt:5:42: version_policy\.specific\.versions: expected a version number/);
  });
});

describe('renderServing with a text-proto adapter', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const project = () => {
    const d = mkdtempSync(join(tmpdir(), 'mlctl-textproto-'));
    dirs.push(d);
    return d;
  };

  it('returns the new text with pending labels and notes, writing nothing', () => {
    const dir = project();
    writeFileSync(join(dir, 'models.config'), THREE_MODELS);
    const spec = { adapter: 'tfserving' as const, files: ['models.config'], plan: 'p' };
    const [e] = renderServing(dir, 'fraud', spec, at.shadow);
    expect(e!.pendingLabels).toEqual([{ label: 'canary', version: 2 }]);
    expect(e!.notes!.length).toBeGreaterThan(0);
    expect(e!.before).toBe(THREE_MODELS);
    expect(readTfServingState(e!.after, 'models.config', 'fraud').loaded).toEqual([1, 2]);
    expect(readFileSync(join(dir, 'models.config'), 'utf8')).toBe(THREE_MODELS);
    const [allowed] = renderServing(dir, 'fraud', { ...spec, allowUnavailableLabels: true }, at.shadow);
    expect(allowed!.pendingLabels).toEqual([]);
  });

  it('a bad file or a missing one is a usage error naming it', () => {
    const dir = project();
    writeFileSync(join(dir, 'models.config'), THREE_MODELS.replace('      value: 1\n', '      value: 3\n'));
    const spec = { adapter: 'tfserving' as const, files: ['models.config'], plan: 'p' };
    expect(() => renderServing(dir, 'fraud', spec, at.canary)).toThrow(
      /^models\.config:24:14: version_labels "stable"/,
    );
    expect(() => renderServing(dir, 'fraud', { ...spec, files: ['nope.config'] }, at.canary)).toThrow(
      /cannot read nope\.config \(ENOENT\); create it from templates\/serving\/tfserving\.models\.config/,
    );
  });
});

describe('text-proto adapters on mutated files', () => {
  it('either edit a file the schema accepts or refuse it with a usage error, never another exception', () => {
    // A fixed-seed generator: the same inputs on every run.
    let seed = 0x2545f491;
    const rand = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const pieces = [
      '{',
      '}',
      '[',
      ']',
      ':',
      ',',
      '"',
      '#',
      '\n',
      ' ',
      '2',
      'versions: 3 ',
      'value: 2 ',
      '{ key: "x" }',
    ];
    const cases: Array<[typeof tfservingAdapter | typeof tritonAdapter, 'tfserving' | 'triton', string]> = [
      [tfservingAdapter, 'tfserving', THREE_MODELS],
      [tritonAdapter, 'triton', CONFIG_PBTXT],
    ];
    let edited = 0;
    let refused = 0;
    let validated = 0;
    for (const [adapter, kind, sample] of cases) {
      for (let k = 0; k < 250; k++) {
        let text = sample;
        const at0 = rand(text.length + 1);
        const op = rand(3);
        const piece = pieces[rand(pieces.length)]!;
        text =
          op === 0
            ? text.slice(0, at0) + piece + text.slice(at0)
            : op === 1
              ? text.slice(0, at0) + text.slice(at0 + 1 + rand(8))
              : text.slice(0, at0) + piece + text.slice(at0 + piece.length);
        const target = [at.shadow, at.full, at.rollback][k % 3]!;
        try {
          const out = adapter.apply(text, 'f', target, { allowUnavailableLabels: k % 2 === 0 }).text;
          edited++;
          // Where the schema accepted the input, it accepts the output (a bounded number of protoc runs).
          if (haveProtoc && haveProtos && validated < 60 && protocCheck(kind, text) === null) {
            expect(protocCheck(kind, out)).toBeNull();
            validated++;
          }
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
          refused++;
        }
      }
    }
    expect(edited).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
    if (haveProtoc && haveProtos) expect(validated).toBeGreaterThan(20);
  });
});
