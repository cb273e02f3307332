import { Document } from 'yaml';
import { UsageError } from '../errors.js';
import type { ServingAdapter, ServingDocs, TrafficTarget } from './types.js';
import { kindOf } from './yaml-docs.js';

/**
 * Seldon Core v2: one `Model` per side (`storageUri`) and an `Experiment` with `default` (the
 * champion, which must also be a candidate), `candidates[{name, weight}]` and `mirror{name,
 * percent}`. Full: the champion Model takes the candidate's storageUri and the Experiment goes.
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
    const apiVersion = kindOf(champ).apiVersion || 'mlops.seldon.io/v1alpha1';
    const namespace = champ.getIn(['metadata', 'namespace']);
    let out = docs.filter(
      (d) => !(kindOf(d).kind === 'Model' && kindOf(d).name === candName) && kindOf(d).kind !== 'Experiment',
    );
    const full = t.candidate && t.weight === 100;
    champ.setIn(['spec', 'storageUri'], full ? t.candidate!.uri : t.champion.uri);
    if (t.candidate && !full) {
      const cand = new Document({
        apiVersion,
        kind: 'Model',
        metadata: { name: candName, ...(namespace ? { namespace: String(namespace) } : {}) },
        spec: { ...(champ.get('spec') as { toJSON(): object }).toJSON(), storageUri: t.candidate.uri },
      });
      cand.directives!.docStart = true;
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
      out = [...out, cand as Document.Parsed, exp as Document.Parsed];
    }
    return out;
  },
  check(docs: ServingDocs): string[] {
    const out: string[] = [];
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
