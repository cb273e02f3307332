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

function step(adapter: string, text: string, target: TrafficTarget) {
  const a = adapterFor(adapter);
  const docs = a.apply(parseServingFile(text, `${adapter}.yaml`), target);
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
