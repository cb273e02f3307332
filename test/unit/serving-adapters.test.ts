import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { adapterFor } from '../../src/core/serving/catalog.js';
import { parseServingFile, refuseForeignOwners, renderServingFile } from '../../src/core/serving/yaml-docs.js';
import type { TrafficTarget } from '../../src/core/serving/types.js';
import { crdValidator, haveCrds } from '../support/crd-validator.js';
import { tempDir } from '../support/helpers.js';

const template = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../templates/serving/${name}.yaml`, import.meta.url)), 'utf8');
const champion = { version: 1, uri: 's3://ml-artifacts/team/models/fraud/1/' };
const candidate = { version: 2, uri: 's3://ml-artifacts/team/models/fraud/2/' };
const STAGES: Array<[string, TrafficTarget]> = [
  ['shadow', { model: 'fraud', champion, candidate, weight: 0, mirror: 100 }],
  ['canary 5%', { model: 'fraud', champion, candidate, weight: 5 }],
  ['ramp 50%', { model: 'fraud', champion, candidate, weight: 50 }],
  ['full', { model: 'fraud', champion, candidate, weight: 100 }],
  ['abort', { model: 'fraud', champion }],
];

/** The same stages with the replica counts of the capacity calculator's standard-plan example. */
const WITH_REPLICAS: Array<[string, TrafficTarget]> = [
  ['shadow', { ...STAGES[0]![1], replicas: { candidate: 174, champion: 174 } }],
  ['canary 5%', { ...STAGES[1]![1], replicas: { candidate: 9, champion: 174 } }],
  ['ramp 50%', { ...STAGES[2]![1], replicas: { candidate: 87, champion: 174 } }],
  ['full', { ...STAGES[3]![1], replicas: { candidate: 174, champion: 174 } }],
  ['scale-down', { ...STAGES[3]![1], replicas: { candidate: 174, champion: 0 } }],
  ['abort', { ...STAGES[4]![1], replicas: { champion: 174 } }],
];

/** Two Deployments for the istio adapter, relabelled per rollout (blue runs the champion). */
const DEPLOYMENTS = ['blue', 'green']
  .map(
    (colour, i) => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: fraud-${colour}, namespace: models }
spec:
  replicas: 2
  selector: { matchLabels: { app: fraud, colour: ${colour} } }
  template:
    metadata:
      labels: { app: fraud, colour: ${colour}, model-version: "${i + 1}" }
    spec:
      containers: [{ name: server, image: "example.com/fraud-server:1" }]
`,
  )
  .join('');
const FILES = (adapter: string) => (adapter === 'istio' ? `${template('istio')}${DEPLOYMENTS}` : template(adapter));
const OPTS = { deployments: ['fraud-blue', 'fraud-green'] };

function step(adapter: string, text: string, target: TrafficTarget, options?: { deployments?: string[] }) {
  const a = adapterFor(adapter);
  if (a.format === 'textproto') throw new Error(`${adapter} edits text-proto files, not YAML documents`);
  const docs = a.apply(parseServingFile(text, `${adapter}.yaml`), target, options);
  expect(a.check(docs)).toEqual([]);
  return { text: renderServingFile(docs), docs: docs.map((d) => d.toJS()) as Array<Record<string, any>> };
}

describe.skipIf(!haveCrds)(
  'serving adapters: every stage validates against the real CRDs (skipped only without ../shared/crds)',
  () => {
    const validate = haveCrds ? crdValidator() : () => [];
    for (const adapter of ['kserve', 'istio', 'seldon']) {
      for (const [stage, target] of STAGES) {
        if (adapter === 'kserve' && stage === 'shadow') continue;
        it(`${adapter}: ${stage}`, () => {
          const { docs } = step(adapter, template(adapter), target);
          for (const d of docs) expect(validate(d as { apiVersion: string; kind: string }), `${d.kind}`).toEqual([]);
        });
      }
    }
  },
);

describe.skipIf(!haveCrds)(
  'serving adapters with replicas: every stage, from the template and from the stage before, validates against the real CRDs (skipped only without ../shared/crds)',
  () => {
    const validate = haveCrds ? crdValidator() : () => [];
    for (const adapter of ['kserve', 'istio', 'seldon']) {
      const stages = WITH_REPLICAS.filter(([s]) => !(adapter === 'kserve' && s === 'shadow'));
      stages.forEach(([stage, target], i) => {
        it(`${adapter}: ${stage}`, () => {
          const starts = [
            FILES(adapter),
            ...(i > 0 ? [step(adapter, FILES(adapter), stages[i - 1]![1], OPTS).text] : []),
          ];
          for (const start of starts) {
            const { docs } = step(adapter, start, target, OPTS);
            for (const d of docs.filter((x) => x.kind !== 'Deployment'))
              expect(validate(d as { apiVersion: string; kind: string }), `${d.kind}`).toEqual([]);
          }
        });
      });
    }
  },
);

describe('replicas: written only when given, where each platform reads them', () => {
  it('without replicas no adapter writes a replica count (files as before capacity existed)', () => {
    for (const adapter of ['kserve', 'seldon', 'generic', 'istio']) {
      for (const [stage, target] of STAGES) {
        if (adapter === 'kserve' && stage === 'shadow') continue;
        const withOpts = step(adapter, FILES(adapter), target, OPTS).text;
        const plain = step(adapter, FILES(adapter), target).text;
        expect(withOpts, `${adapter} ${stage}`).toBe(plain);
        expect(plain).not.toMatch(/previous|replicas: (?!2\b)/);
      }
    }
  });

  it('kserve: minReplicas of the revision storageUri names; maxReplicas raised where it would fall below', () => {
    const bounded = template('kserve').replace('    minReplicas: 2\n', '    minReplicas: 2\n    maxReplicas: 20\n');
    const canary = step('kserve', bounded, WITH_REPLICAS[1]![1]);
    expect(canary.docs[0]!.spec.predictor).toMatchObject({ minReplicas: 9, maxReplicas: 20, canaryTrafficPercent: 5 });
    const full = step('kserve', canary.text, WITH_REPLICAS[3]![1]);
    expect(full.docs[0]!.spec.predictor).toMatchObject({ minReplicas: 174, maxReplicas: 174 });
    expect(full.docs[0]!.spec.predictor.canaryTrafficPercent).toBeUndefined();
    const abort = step('kserve', canary.text, WITH_REPLICAS[5]![1]);
    expect(abort.docs[0]!.spec.predictor).toMatchObject({ minReplicas: 174, model: { storageUri: champion.uri } });
    expect(abort.text).toContain('# canary traffic splitting needs Knative');
  });

  it('seldon: spec.replicas per Model; the old champion stays as <name>-previous until scale-down', () => {
    const bounded = template('seldon').replace(
      '  memory: 1Gi\n',
      '  memory: 1Gi\n  minReplicas: 2\n  maxReplicas: 100\n',
    );
    const shadow = step('seldon', bounded, WITH_REPLICAS[0]![1]);
    expect(shadow.docs.map((d) => [d.metadata.name, d.spec.replicas, d.spec.maxReplicas])).toEqual([
      ['fraud', 174, 174],
      ['fraud-candidate', 174, 174],
      ['fraud-rollout', undefined, undefined],
    ]);
    const canary = step('seldon', shadow.text, WITH_REPLICAS[1]![1]);
    expect(canary.docs.slice(0, 2).map((d) => d.spec.replicas)).toEqual([174, 9]);
    const full = step('seldon', canary.text, WITH_REPLICAS[3]![1]);
    expect(full.docs.map((d) => [d.kind, d.metadata.name, d.spec.storageUri, d.spec.replicas])).toEqual([
      ['Model', 'fraud', candidate.uri, 174],
      ['Model', 'fraud-previous', champion.uri, 174],
    ]);
    const down = step('seldon', full.text, WITH_REPLICAS[4]![1]);
    expect(down.docs.map((d) => [d.metadata.name, d.spec.replicas])).toEqual([['fraud', 174]]);
    // An author's minReplicas is a floor Seldon enforces: a 1-replica canary gets 2.
    const small = step('seldon', bounded, { ...STAGES[1]![1], replicas: { candidate: 1, champion: 174 } });
    expect(small.docs[1]!.spec).toMatchObject({ replicas: 2, minReplicas: 2 });
  });

  it('generic: replicas in stable, candidate (mirror during shadow) and previous', () => {
    const shadow = step('generic', template('generic'), WITH_REPLICAS[0]![1]);
    expect(shadow.docs[0]).toMatchObject({
      stable: { version: 1, replicas: 174 },
      mirror: { version: 2, replicas: 174 },
    });
    const canary = step('generic', shadow.text, WITH_REPLICAS[1]![1]);
    expect(canary.docs[0]).toMatchObject({
      stable: { replicas: 174 },
      candidate: { version: 2, weight: 5, replicas: 9 },
    });
    const full = step('generic', canary.text, WITH_REPLICAS[3]![1]);
    expect(full.docs[0]).toMatchObject({
      stable: { version: 2, replicas: 174 },
      previous: { version: 1, uri: champion.uri, replicas: 174 },
    });
    const down = step('generic', full.text, WITH_REPLICAS[4]![1]);
    expect(down.docs[0]!.previous).toBeUndefined();
    expect(down.docs[0]!.stable).toEqual({ version: 2, uri: candidate.uri, replicas: 174 });
  });

  it('istio: spec.replicas of the listed Deployment running each version; others untouched', () => {
    const other = '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: unrelated}\nspec:\n  replicas: 1\n';
    const text = `${FILES('istio')}${other}`;
    const replicas = (docs: Array<Record<string, any>>) =>
      Object.fromEntries(docs.filter((d) => d.kind === 'Deployment').map((d) => [d.metadata.name, d.spec.replicas]));
    expect(replicas(step('istio', text, WITH_REPLICAS[1]![1], OPTS).docs)).toEqual({
      'fraud-blue': 174,
      'fraud-green': 9,
      unrelated: 1,
    });
    expect(replicas(step('istio', text, WITH_REPLICAS[3]![1], OPTS).docs)).toMatchObject({
      'fraud-blue': 174,
      'fraud-green': 174,
    });
    expect(replicas(step('istio', text, WITH_REPLICAS[4]![1], OPTS).docs)).toMatchObject({
      'fraud-blue': 0,
      'fraud-green': 174,
    });
    expect(() => step('istio', text, WITH_REPLICAS[1]![1], { deployments: ['fraud-blue', 'fraud-red'] })).toThrow(
      /serving\.fraud\.deployments names fraud-red, not found in the serving files/,
    );
    const unlabelled = text.replace('model-version: "2"', 'model-version: "7"');
    expect(() => step('istio', unlabelled, WITH_REPLICAS[1]![1], OPTS)).toThrow(
      /none of fraud-blue, fraud-green runs version 2 \(pod template label model-version: "2"\)/,
    );
    // Scaling to 0 a version that has no Deployment any more is nothing to do.
    const gone = { ...STAGES[3]![1], replicas: { candidate: 0, champion: 0 } };
    expect(() => step('istio', unlabelled, gone, OPTS)).not.toThrow();
  });

  it('renderServing parses only the Deployments named in serving.<model>.deployments', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { renderServing } = await import('../../src/core/rollout/serving-files.js');
    const dir = mkdtempSync(join(tmpdir(), 'mlctl-serving-'));
    try {
      const odd =
        '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: other,   namespace: models}\nspec: { replicas: 1 }\n';
      writeFileSync(join(dir, 'all.yaml'), `${FILES('istio')}${odd}`);
      const spec = { adapter: 'istio' as const, files: ['all.yaml'], plan: 'standard', deployments: OPTS.deployments };
      const [e] = renderServing(dir, 'fraud', spec, WITH_REPLICAS[1]![1]);
      expect(e!.after.endsWith(odd)).toBe(true);
      expect(e!.after).toContain('metadata: { name: fraud-green, namespace: models }\nspec:\n  replicas: 9\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('kserve', () => {
  it('canary sets storageUri and canaryTrafficPercent, full drops the field, abort restores the champion; comments stay', () => {
    const canary = step('kserve', template('kserve'), STAGES[1]![1]);
    expect(canary.docs[0]!.spec.predictor).toMatchObject({
      canaryTrafficPercent: 5,
      model: { storageUri: candidate.uri },
    });
    expect(canary.text).toContain('# canary traffic splitting needs Knative');
    expect(canary.text).toContain('requests: { cpu: 500m, memory: 1Gi }');
    const full = step('kserve', canary.text, STAGES[3]![1]);
    expect(full.docs[0]!.spec.predictor.canaryTrafficPercent).toBeUndefined();
    expect(full.docs[0]!.spec.predictor.model.storageUri).toBe(candidate.uri);
    const abort = step('kserve', canary.text, STAGES[4]![1]);
    expect(abort.docs[0]!.spec.predictor).toMatchObject({ model: { storageUri: champion.uri } });
    expect(abort.docs[0]!.spec.predictor.canaryTrafficPercent).toBeUndefined();
  });
  it('refuses a shadow stage with a message naming the alternative', () => {
    expect(() => step('kserve', template('kserve'), STAGES[0]![1])).toThrow(
      /KServe alone cannot shadow traffic: use the istio adapter/,
    );
  });
});

describe('istio', () => {
  it('splits, mirrors and promotes through the subsets', () => {
    const shadow = step('istio', template('istio'), STAGES[0]![1]);
    const vs = shadow.docs[0]!;
    expect(vs.spec.http[0]).toMatchObject({
      name: 'predict',
      timeout: '2s',
      mirror: { subset: 'candidate' },
      mirrorPercentage: { value: 100 },
    });
    expect(vs.spec.http[0].route.map((r: { weight: number }) => r.weight)).toEqual([100, 0]);
    const ramp = step('istio', shadow.text, STAGES[2]![1]);
    expect(ramp.docs[0]!.spec.http[0].route.map((r: { weight: number }) => r.weight)).toEqual([50, 50]);
    expect(ramp.docs[0]!.spec.http[0].mirror).toBeUndefined();
    expect(ramp.docs[1]!.spec.subsets).toEqual([
      { name: 'stable', labels: { 'model-version': '1' } },
      { name: 'candidate', labels: { 'model-version': '2' } },
    ]);
    const full = step('istio', ramp.text, STAGES[3]![1]);
    expect(full.docs[0]!.spec.http[0].route).toEqual([
      { destination: { host: 'fraud.models.svc.cluster.local', subset: 'stable' }, weight: 100 },
    ]);
    expect(full.docs[1]!.spec.subsets).toEqual([{ name: 'stable', labels: { 'model-version': '2' } }]);
    expect(full.text).toContain('http: { http2MaxRequests: 1000 }');
  });
});

describe('seldon', () => {
  it('adds a candidate Model and an Experiment whose default is a candidate; full folds it back', () => {
    const canary = step('seldon', template('seldon'), STAGES[1]![1]);
    const kinds = canary.docs.map((d) => `${d.kind}/${d.metadata.name}`);
    expect(kinds).toEqual(['Model/fraud', 'Model/fraud-candidate', 'Experiment/fraud-rollout']);
    expect(canary.docs[2]!.spec).toEqual({
      default: 'fraud',
      candidates: [
        { name: 'fraud', weight: 95 },
        { name: 'fraud-candidate', weight: 5 },
      ],
    });
    const shadow = step('seldon', template('seldon'), STAGES[0]![1]);
    expect(shadow.docs[2]!.spec).toEqual({
      default: 'fraud',
      candidates: [{ name: 'fraud', weight: 100 }],
      mirror: { name: 'fraud-candidate', percent: 100 },
    });
    const full = step('seldon', canary.text, STAGES[3]![1]);
    expect(full.docs.map((d) => d.kind)).toEqual(['Model']);
    expect(full.docs[0]!.spec.storageUri).toBe(candidate.uri);
    expect(full.text).toContain('# written by mlctl');
  });
});

describe('generic', () => {
  it('writes stable, candidate and mirror', () => {
    const shadow = step('generic', template('generic'), STAGES[0]![1]);
    expect(shadow.docs[0]).toMatchObject({ stable: { version: 1 }, mirror: { version: 2, percent: 100 } });
    expect(shadow.docs[0]!.candidate).toBeUndefined();
    const canary = step('generic', shadow.text, STAGES[1]![1]);
    expect(canary.docs[0]).toMatchObject({ candidate: { version: 2, weight: 5 } });
    expect(canary.docs[0]!.mirror).toBeUndefined();
    const full = step('generic', canary.text, STAGES[3]![1]);
    expect(full.docs[0]).toEqual({
      apiVersion: 'mlctl.dev/v1',
      kind: 'Traffic',
      model: 'fraud',
      stable: { version: 2, uri: candidate.uri },
    });
    expect(full.text).toMatch(/^# mlctl's traffic file/);
  });
});

describe('ownership (11.13: the keys Argo Rollouts and Flagger really write)', () => {
  const withOwner = (owner: string) =>
    parseServingFile(
      template('istio').replace(
        '  namespace: models\nspec:\n  hosts',
        `  namespace: models\n  ownerReferences:\n    - ${owner}\nspec:\n  hosts`,
      ),
      'vs.yaml',
    );

  it('refuses a resource Argo Rollouts manages: its annotation argo-rollouts.argoproj.io/managed-by-rollouts', () => {
    const argo = parseServingFile(
      template('kserve').replace(
        '  annotations:\n',
        '  annotations:\n    argo-rollouts.argoproj.io/managed-by-rollouts: fraud\n',
      ),
      'isvc.yaml',
    );
    expect(() => refuseForeignOwners(argo, 'isvc.yaml')).toThrow(
      'isvc.yaml: InferenceService fraud is managed by Argo Rollouts (annotation argo-rollouts.argoproj.io/managed-by-rollouts: fraud); let Argo Rollouts drive it, or remove it from serving.files',
    );
  });

  it('refuses a resource owned by an Argo Rollouts Rollout (ownerReferences)', () => {
    const owned = withOwner(
      '{ apiVersion: argoproj.io/v1alpha1, kind: Rollout, name: fraud, uid: 5c2b, controller: true, blockOwnerDeletion: true }',
    );
    expect(() => refuseForeignOwners(owned, 'vs.yaml')).toThrow(
      'vs.yaml: VirtualService fraud is owned by the Argo Rollouts Rollout fraud (metadata.ownerReferences); let Argo Rollouts drive it, or remove it from serving.files',
    );
  });

  it('refuses a resource Flagger generated: owned by a flagger.app Canary', () => {
    const flagger = withOwner(
      '{ apiVersion: flagger.app/v1beta1, kind: Canary, name: fraud, uid: 9f1d, controller: true, blockOwnerDeletion: true }',
    );
    expect(() => refuseForeignOwners(flagger, 'vs.yaml')).toThrow(
      'vs.yaml: VirtualService fraud is generated by Flagger (owned by the Canary fraud in metadata.ownerReferences); edit the Flagger Canary instead, or remove it from serving.files',
    );
  });

  it('leaves resources with other owners or annotations alone', () => {
    expect(() =>
      refuseForeignOwners(withOwner('{ apiVersion: example.com/v1, kind: Canary, name: x, uid: 1 }'), 'vs.yaml'),
    ).not.toThrow();
    expect(() =>
      refuseForeignOwners(withOwner('{ apiVersion: apps/v1, kind: Deployment, name: x, uid: 1 }'), 'vs.yaml'),
    ).not.toThrow();
  });
});

describe.skipIf(!haveCrds)('the CRD validator itself (skipped only without ../shared/crds)', () => {
  it('rejects documents the real schemas reject', () => {
    const validate = crdValidator();
    expect(
      validate({
        apiVersion: 'serving.kserve.io/v1beta1',
        kind: 'InferenceService',
        spec: { predictor: { canaryTrafficPercent: 'five' } },
      } as never).join(),
    ).toMatch(/canaryTrafficPercent must be integer/);
    expect(
      validate({
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        spec: { http: [{ mirrorPercentage: { value: 'all' } }] },
      } as never).join(),
    ).toMatch(/mirrorPercentage\/value must be number/);
    expect(
      validate({
        apiVersion: 'mlops.seldon.io/v1alpha1',
        kind: 'Experiment',
        spec: { candidates: [{ weight: 5 }] },
      } as never).join(),
    ).toMatch(/must have required property 'name'/);
    expect(validate({ apiVersion: 'example.com/v1', kind: 'Nope' })).toEqual(['no CRD schema for example.com/v1 Nope']);
  });
});

describe('serving files: only the adapter’s documents are re-rendered', () => {
  it('splitDocuments gives the text back exactly, split at --- lines only', async () => {
    const { splitDocuments } = await import('../../src/core/serving/yaml-docs.js');
    const text = '# head\na: 1\n---\nb: |\n  text with --- inside\n--- # a comment\nc: 3\n---\n';
    const parts = splitDocuments(text);
    expect(parts).toEqual([
      '# head\na: 1\n',
      '---\nb: |\n  text with --- inside\n',
      '--- # a comment\nc: 3\n',
      '---\n',
    ]);
    expect(parts.join('')).toBe(text);
  });

  it('unrelated documents (odd formatting, comments, flow style) stay byte for byte', async () => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { renderServing } = await import('../../src/core/rollout/serving-files.js');
    const dir = tempDir('mlctl-serving-');
    const odd =
      "---\napiVersion: v1\nkind:   ConfigMap   # odd spacing\nmetadata: {name: x,   namespace: models}\ndata:\n  k: 'single'   \n  list: [ a,b ]\n";
    writeFileSync(join(dir, 'all.yaml'), `${template('istio')}${odd}`);
    const [e] = renderServing(dir, 'fraud', { adapter: 'istio', files: ['all.yaml'], plan: 'standard' }, STAGES[1]![1]);
    expect(e!.after.endsWith(odd)).toBe(true);
    expect(e!.after).not.toBe(e!.before);
    expect(e!.after).toContain('subset: candidate');
  });

  it('edited documents keep the author’s style: flow maps stay flow, unchanged lines stay as written', async () => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { renderServing } = await import('../../src/core/rollout/serving-files.js');
    const dir = tempDir('mlctl-serving-');
    writeFileSync(join(dir, 'vs.yaml'), template('istio'));
    const [e] = renderServing(dir, 'fraud', { adapter: 'istio', files: ['vs.yaml'], plan: 'standard' }, STAGES[1]![1]);
    expect(e!.after).toContain('  hosts: [fraud.models.svc.cluster.local]\n');
    expect(e!.after).toContain(
      '        - destination: { host: fraud.models.svc.cluster.local, subset: candidate }\n          weight: 5\n',
    );
    expect(e!.after).toContain('      labels: { model-version: "2" }\n');
  });

  it('untouched lines stay byte for byte (comment spacing, `- item` at the key’s column); new lines follow the document’s indentation (11.20)', async () => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { renderServing } = await import('../../src/core/rollout/serving-files.js');
    const dir = tempDir('mlctl-serving-');
    // As kubectl and most Kubernetes docs write it: sequences at their key's column, comments aligned by hand.
    const vs = [
      'apiVersion: networking.istio.io/v1   # pinned',
      'kind: VirtualService',
      'metadata:',
      '  name: fraud        # the model server',
      '  namespace: models',
      'spec:',
      '  hosts:',
      '  - fraud.models.svc.cluster.local',
      '  http:',
      '  - name: predict    # main route',
      '    timeout: 2s',
      '    route:',
      '    - destination:',
      '        host: fraud.models.svc.cluster.local',
      '        subset: stable',
      '      weight: 100',
      '',
    ].join('\n');
    // Four spaces a level, sequences indented.
    const dr = [
      '---',
      'apiVersion: networking.istio.io/v1',
      'kind: DestinationRule',
      'metadata:',
      '    name: fraud',
      'spec:',
      '    host: fraud.models.svc.cluster.local    # same host',
      '    subsets:',
      '        - name: stable',
      '          labels:',
      '              model-version: "1"',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'vs.yaml'), vs + dr);
    const [e] = renderServing(dir, 'fraud', { adapter: 'istio', files: ['vs.yaml'], plan: 'standard' }, STAGES[1]![1]);
    expect(e!.after).toBe(
      vs.replace(
        '      weight: 100\n',
        '      weight: 95\n    - destination:\n        host: fraud.models.svc.cluster.local\n        subset: candidate\n      weight: 5\n',
      ) +
        dr.replace(
          '              model-version: "1"\n',
          '              model-version: "1"\n        - name: candidate\n          labels:\n              model-version: "2"\n',
        ),
    );
  });
});
