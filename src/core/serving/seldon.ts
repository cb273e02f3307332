import { Document } from 'yaml';
import { UsageError } from '../errors.js';
import type { ServingAdapter, ServingDocs, TrafficTarget } from './types.js';
import { kindOf } from './yaml-docs.js';
import { replicaProblems, writeReplicas } from './replicas.js';

const BOUNDS = { floor: 'minReplicas', ceiling: 'maxReplicas' };

/**
 * Seldon Core v2: one `Model` per side (`storageUri`) and an `Experiment` with `default` (the
 * champion, which must also be a candidate), `candidates[{name, weight}]` and `mirror{name,
 * percent}`. Full: the champion Model takes the candidate's storageUri and the Experiment goes.
 *
 * Replicas (only when the target has them): `spec.replicas` of each side's Model — the champion
 * Model's is the champion's count, or the candidate's from `full` on (it then serves the candidate).
 * Seldon refuses replicas outside [minReplicas, maxReplicas]: an author's minReplicas is a floor,
 * and a maxReplicas below the count is raised. Seldon updates the champion Model in place at
 * full, so the old champion's window (`replicas.champion` > 0 at full) is a `<name>-previous` Model
 * on the old storageUri with no traffic: loaded and warm until the scale-down step removes it.
 */
export const seldonAdapter: ServingAdapter = {
  name: 'seldon',
  kinds: ['Model', 'Experiment'],
  supportsShadow: true,
  apply(docs: ServingDocs, t: TrafficTarget): ServingDocs {
    const models = docs.filter((d) => kindOf(d).kind === 'Model');
    if (models.length < 1) throw new UsageError('expected the champion Model in the serving files');
    const champ = models.find((m) => kindOf(m).name === t.model) ?? models[0]!;
    const champName = kindOf(champ).name;
    const candName = `${champName}-candidate`;
    const prevName = `${champName}-previous`;
    const baseSpec = (champ.get('spec') as { toJSON(): object }).toJSON();
    const apiVersion = kindOf(champ).apiVersion || 'mlops.seldon.io/v1alpha1';
    const namespace = champ.getIn(['metadata', 'namespace']);
    let out = docs.filter(
      (d) =>
        !(kindOf(d).kind === 'Model' && [candName, prevName].includes(kindOf(d).name)) &&
        kindOf(d).kind !== 'Experiment',
    );
    const full = t.candidate && t.weight === 100;
    champ.setIn(['spec', 'storageUri'], full ? t.candidate!.uri : t.champion.uri);
    const champCount = full ? t.replicas?.candidate : t.replicas?.champion;
    if (champCount !== undefined) writeReplicas(champ, ['spec'], 'replicas', champCount, BOUNDS);
    const model = (name: string, uri: string, count: number | undefined) => {
      const m = new Document({
        apiVersion,
        kind: 'Model',
        metadata: { name, ...(namespace ? { namespace: String(namespace) } : {}) },
        spec: { ...baseSpec, storageUri: uri },
      });
      if (count !== undefined) writeReplicas(m, ['spec'], 'replicas', count, BOUNDS);
      m.directives!.docStart = true;
      return m as Document.Parsed;
    };
    if (full && (t.replicas?.champion ?? 0) > 0) out = [...out, model(prevName, t.champion.uri, t.replicas!.champion)];
    if (t.candidate && !full) {
      const cand = model(candName, t.candidate.uri, t.replicas?.candidate);
      const weight = t.weight ?? 0;
      const exp = new Document({
        apiVersion,
        kind: 'Experiment',
        metadata: { name: `${champName}-rollout`, ...(namespace ? { namespace: String(namespace) } : {}) },
        spec: {
          default: champName,
          candidates: [{ name: champName, weight: 100 - weight }, ...(weight > 0 ? [{ name: candName, weight }] : [])],
          ...(t.mirror ? { mirror: { name: candName, percent: t.mirror } } : {}),
        },
      });
      exp.directives!.docStart = true;
      out = [...out, cand, exp as Document.Parsed];
    }
    return out;
  },
  check(docs: ServingDocs): string[] {
    const out: string[] = [];
    for (const m of docs.filter((d) => kindOf(d).kind === 'Model'))
      out.push(
        ...replicaProblems(
          m,
          ['spec'],
          { value: 'replicas', min: 'minReplicas', max: 'maxReplicas' },
          `Model ${kindOf(m).name} spec`,
        ),
      );
    for (const e of docs.filter((d) => kindOf(d).kind === 'Experiment')) {
      const spec = (
        e.get('spec') as { toJSON(): { default?: string; candidates?: Array<{ name: string; weight: number }> } }
      ).toJSON();
      if (spec.default && !spec.candidates?.some((c) => c.name === spec.default))
        out.push(`Experiment default ${spec.default} must also be one of its candidates`);
      const sum = (spec.candidates ?? []).reduce((s, c) => s + c.weight, 0);
      if (sum !== 100) out.push(`Experiment candidate weights sum to ${sum}, not 100`);
    }
    return out;
  },
};
