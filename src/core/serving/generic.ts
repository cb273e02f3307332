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
 *   mirror: { version: 4, percent: 100 }             # absent unless shadowing (+ replicas then)
 *   previous: { version: 3, uri: …, replicas: 174 }  # absent unless the old champion stays up after full
 *
 * With a capacity configuration, `replicas` is written in `stable` and `candidate` (in `mirror`
 * during a shadow stage, which has no `candidate` entry), and the old champion, kept up without
 * traffic for the window after full, is `previous`; without one, no replica count is written and
 * `previous` never appears.
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
    const r = t.replicas ?? {};
    const count = (n: number | undefined) => (n !== undefined ? { replicas: n } : {});
    d.set('model', t.model);
    setKeepingStyle(d, ['stable'], {
      version: stable.version,
      uri: stable.uri,
      ...count(full ? r.candidate : r.champion),
    });
    if (t.candidate && !full && (t.weight ?? 0) > 0)
      d.set(
        'candidate',
        d.createNode({ version: t.candidate.version, uri: t.candidate.uri, weight: t.weight, ...count(r.candidate) }),
      );
    else d.delete('candidate');
    if (full && (r.champion ?? 0) > 0)
      d.set('previous', d.createNode({ version: t.champion.version, uri: t.champion.uri, replicas: r.champion }));
    else d.delete('previous');
    // A shadow stage has no candidate entry: the mirror entry carries the candidate's replicas then.
    const inMirror = (t.weight ?? 0) > 0 ? {} : count(r.candidate);
    if (t.candidate && !full && t.mirror)
      d.set('mirror', d.createNode({ version: t.candidate.version, percent: t.mirror, ...inMirror }));
    else d.delete('mirror');
    return docs;
  },
  check(docs: ServingDocs): string[] {
    const out: string[] = [];
    for (const d of docs.filter((x) => kindOf(x).kind === 'Traffic')) {
      const w = d.getIn(['candidate', 'weight']);
      if (w !== undefined && (typeof w !== 'number' || w <= 0 || w >= 100))
        out.push(`candidate.weight must be between 0 and 100, got ${String(w)}`);
      for (const side of ['stable', 'candidate', 'mirror', 'previous']) {
        const n = d.getIn([side, 'replicas']);
        if (n !== undefined && !(typeof n === 'number' && Number.isInteger(n) && n >= 0))
          out.push(`${side}.replicas must be a whole number ≥ 0, got ${String(n)}`);
      }
      const m = d.getIn(['mirror', 'percent']);
      if (m !== undefined && (typeof m !== 'number' || m <= 0 || m > 100))
        out.push(`mirror.percent must be in (0, 100], got ${String(m)}`);
    }
    return out;
  },
};
