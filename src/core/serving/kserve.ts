import { UsageError } from '../errors.js';
import type { ServingAdapter, ServingDocs, TrafficTarget } from './types.js';
import { kindOf } from './yaml-docs.js';
import { replicaProblems, writeReplicas } from './replicas.js';

/**
 * KServe InferenceService (Knative mode): the new revision is `storageUri` and gets
 * `canaryTrafficPercent`; the previous revision takes the rest. Promote = drop the field;
 * abort = restore the champion's storageUri and drop the field. No shadow on its own.
 *
 * Replicas: `spec.predictor` describes the latest revision only (each edit makes a new Knative
 * revision; older ones are immutable), so `minReplicas` is the count of whichever version
 * `storageUri` names — the candidate's during canary and at full, the champion's otherwise — and
 * `maxReplicas` is raised where the author's would fall below it (KServe refuses min > max).
 * The champion's count cannot be written during a canary: its revision keeps the minReplicas it
 * was created with (its own full size, when it was rolled out with a capacity configuration). At
 * full the previous revision leaves the route and Knative scales it down, so `replicas.champion`
 * at full (the warm window after promotion) cannot be expressed here and is not written.
 */
export const kserveAdapter: ServingAdapter = {
  name: 'kserve',
  kinds: ['InferenceService'],
  supportsShadow: false,
  apply(docs: ServingDocs, t: TrafficTarget): ServingDocs {
    const isvcs = docs.filter((d) => kindOf(d).kind === 'InferenceService');
    if (isvcs.length !== 1)
      throw new UsageError(`expected one InferenceService in the serving files, found ${isvcs.length}`);
    const d = isvcs[0]!;
    if (t.mirror)
      throw new UsageError(
        'KServe alone cannot shadow traffic: use the istio adapter for a shadow stage, or drop the stage from the plan',
      );
    const canary = t.candidate && t.weight !== undefined && t.weight > 0 && t.weight < 100;
    const side = t.candidate && (canary || t.weight === 100) ? 'candidate' : 'champion';
    const serving = side === 'candidate' ? t.candidate! : t.champion;
    d.setIn(['spec', 'predictor', 'model', 'storageUri'], serving.uri);
    const n = t.replicas?.[side];
    if (n !== undefined) writeReplicas(d, ['spec', 'predictor'], 'minReplicas', n, { ceiling: 'maxReplicas' });
    if (canary) d.setIn(['spec', 'predictor', 'canaryTrafficPercent'], t.weight);
    else d.deleteIn(['spec', 'predictor', 'canaryTrafficPercent']);
    return docs;
  },
  check(docs: ServingDocs): string[] {
    const out: string[] = [];
    for (const d of docs.filter((x) => kindOf(x).kind === 'InferenceService')) {
      const p = d.getIn(['spec', 'predictor', 'canaryTrafficPercent']);
      if (p !== undefined && (typeof p !== 'number' || p < 0 || p > 100 || !Number.isInteger(p)))
        out.push(`canaryTrafficPercent must be a whole number 0–100, got ${String(p)}`);
      out.push(
        ...replicaProblems(d, ['spec', 'predictor'], { min: 'minReplicas', max: 'maxReplicas' }, 'spec.predictor'),
      );
      if (!d.getIn(['spec', 'predictor', 'model', 'storageUri']))
        out.push('spec.predictor.model.storageUri is missing');
    }
    return out;
  },
};
