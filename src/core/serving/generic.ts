import { UsageError } from '../errors.js';
import type { ServingAdapter, ServingDocs, TrafficTarget } from './types.js';
import { kindOf, setKeepingStyle } from './yaml-docs.js';

/**
 * mlctl's own traffic file for custom gateways:
 *   apiVersion: mlctl.dev/v1
 *   kind: Traffic
 *   model: fraud
 *   stable: { version: 3, uri: s3://bucket/prefix/models/fraud/3/ }
 *   candidate: { version: 4, uri: …, weight: 5 }      # absent when nothing rolls out
 *   mirror: { version: 4, percent: 100 }             # absent unless shadowing
 */
export const genericAdapter: ServingAdapter = {
  name: 'generic',
  kinds: ['Traffic'],
  supportsShadow: true,
  apply(docs: ServingDocs, t: TrafficTarget): ServingDocs {
    const files = docs.filter((d) => kindOf(d).kind === 'Traffic');
    if (files.length !== 1)
      throw new UsageError(`expected one "kind: Traffic" document in the serving files, found ${files.length}`);
    const d = files[0]!;
    const full = t.candidate && t.weight === 100;
    const stable = full ? t.candidate! : t.champion;
    d.set('model', t.model);
    setKeepingStyle(d, ['stable'], { version: stable.version, uri: stable.uri });
    if (t.candidate && !full && (t.weight ?? 0) > 0)
      d.set('candidate', d.createNode({ version: t.candidate.version, uri: t.candidate.uri, weight: t.weight }));
    else d.delete('candidate');
    if (t.candidate && !full && t.mirror)
      d.set('mirror', d.createNode({ version: t.candidate.version, percent: t.mirror }));
    else d.delete('mirror');
    return docs;
  },
  check(docs: ServingDocs): string[] {
    const out: string[] = [];
    for (const d of docs.filter((x) => kindOf(x).kind === 'Traffic')) {
      const w = d.getIn(['candidate', 'weight']);
      if (w !== undefined && (typeof w !== 'number' || w <= 0 || w >= 100))
        out.push(`candidate.weight must be between 0 and 100, got ${String(w)}`);
      const m = d.getIn(['mirror', 'percent']);
      if (m !== undefined && (typeof m !== 'number' || m <= 0 || m > 100))
        out.push(`mirror.percent must be in (0, 100], got ${String(m)}`);
    }
    return out;
  },
};
