import { UsageError } from '../errors.js';
import type { AdapterOptions, ServingAdapter, ServingDocs, TrafficTarget } from './types.js';
import { kindOf, setKeepingStyle } from './yaml-docs.js';

const STABLE = 'stable';
const CANDIDATE = 'candidate';
const LABEL = 'model-version';

/**
 * Istio: the VirtualService's first HTTP route splits traffic between the `stable` and
 * `candidate` subsets of one host (all under `spec`) (weights summing to 100); shadow is `mirror` +
 * `mirrorPercentage: {value}`. The DestinationRule's subsets select pods by a model-version label.
 *
 * Replicas: Istio routes, it does not run pods. When `serving.<model>.deployments` lists
 * Deployments (and the target has replica counts), each version's count goes to `spec.replicas`
 * of the listed Deployment whose pod template has that version's model-version label — the pods
 * its subset selects. Fixed names (a blue/green pair relabelled per rollout) and per-version
 * names both work. At full the old champion's Deployment keeps `replicas.champion` (the warm
 * window) until a target with 0 scales it down.
 */
export const istioAdapter: ServingAdapter = {
  name: 'istio',
  kinds: ['VirtualService', 'DestinationRule'],
  supportsShadow: true,
  apply(docs: ServingDocs, t: TrafficTarget, options: AdapterOptions = {}): ServingDocs {
    const vs = docs.filter((d) => kindOf(d).kind === 'VirtualService');
    const dr = docs.filter((d) => kindOf(d).kind === 'DestinationRule');
    if (vs.length !== 1 || dr.length !== 1)
      throw new UsageError(
        `expected one VirtualService and one DestinationRule in the serving files, found ${vs.length} and ${dr.length}`,
      );
    const v = vs[0]!;
    const r = dr[0]!;
    const host = String(
      r.getIn(['spec', 'host']) ?? v.getIn(['spec', 'http', 0, 'route', 0, 'destination', 'host']) ?? '',
    );
    if (!host) throw new UsageError('the DestinationRule has no spec.host');
    const full = t.candidate && t.weight === 100;
    // At full the candidate becomes the stable version; without a candidate only stable remains.
    const stableVersion = full ? t.candidate!.version : t.champion.version;
    const subsets: Array<{ name: string; labels: Record<string, string> }> = [
      { name: STABLE, labels: { [LABEL]: String(stableVersion) } },
    ];
    if (t.candidate && !full) subsets.push({ name: CANDIDATE, labels: { [LABEL]: String(t.candidate.version) } });
    setKeepingStyle(r, ['spec', 'subsets'], subsets);
    const weight = t.candidate && !full ? (t.weight ?? 0) : 0;
    const route = [{ destination: { host, subset: STABLE }, weight: 100 - weight }];
    if (t.candidate && !full) route.push({ destination: { host, subset: CANDIDATE }, weight });
    if (!v.hasIn(['spec', 'http', 0])) v.setIn(['spec', 'http'], v.createNode([{}]));
    setKeepingStyle(v, ['spec', 'http', 0, 'route'], route);
    if (t.candidate && !full && t.mirror) {
      v.setIn(['spec', 'http', 0, 'mirror'], v.createNode({ host, subset: CANDIDATE }));
      v.setIn(['spec', 'http', 0, 'mirrorPercentage'], v.createNode({ value: t.mirror }));
    } else {
      v.deleteIn(['spec', 'http', 0, 'mirror']);
      v.deleteIn(['spec', 'http', 0, 'mirrorPercentage']);
    }
    if (t.replicas && options.deployments?.length) scaleDeployments(docs, t, options.deployments);
    return docs;
  },
  check(docs: ServingDocs): string[] {
    const out: string[] = [];
    for (const v of docs.filter((d) => kindOf(d).kind === 'VirtualService')) {
      const routes =
        (
          v.getIn(['spec', 'http', 0, 'route']) as { toJSON?: () => Array<{ weight?: number }> } | undefined
        )?.toJSON?.() ?? [];
      const sum = routes.reduce((s, x) => s + (x.weight ?? 0), 0);
      if (routes.length > 1 && sum !== 100) out.push(`route weights sum to ${sum}, not 100`);
      const m = v.getIn(['spec', 'http', 0, 'mirrorPercentage', 'value']);
      if (m !== undefined && (typeof m !== 'number' || m < 0 || m > 100))
        out.push(`mirrorPercentage.value must be 0–100, got ${String(m)}`);
    }
    for (const d of docs.filter((x) => kindOf(x).kind === 'Deployment')) {
      const n = d.getIn(['spec', 'replicas']);
      if (n !== undefined && !(typeof n === 'number' && Number.isInteger(n) && n >= 0))
        out.push(`Deployment ${kindOf(d).name}: spec.replicas must be a whole number ≥ 0, got ${String(n)}`);
    }
    return out;
  },
};

function scaleDeployments(docs: ServingDocs, t: TrafficTarget, names: readonly string[]): void {
  const listed = docs.filter((d) => kindOf(d).kind === 'Deployment' && names.includes(kindOf(d).name));
  const absent = names.filter((n) => !listed.some((d) => kindOf(d).name === n));
  if (absent.length)
    throw new UsageError(
      `serving.${t.model}.deployments names ${absent.join(', ')}, not found in the serving files; add the Deployment there or drop the name`,
    );
  const sides: Array<[number, number | undefined]> = [[t.champion.version, t.replicas?.champion]];
  if (t.candidate) sides.push([t.candidate.version, t.replicas?.candidate]);
  for (const [version, count] of sides) {
    if (count === undefined) continue;
    const runs = listed.filter(
      (d) => String(d.getIn(['spec', 'template', 'metadata', 'labels', LABEL])) === String(version),
    );
    if (runs.length > 1)
      throw new UsageError(
        `serving.${t.model}.deployments: ${runs.map((d) => kindOf(d).name).join(' and ')} both run version ${version} (${LABEL}: "${version}"); keep one Deployment per version`,
      );
    // Nothing to scale down is fine; a version that needs pods and has no Deployment is not.
    if (runs.length === 0 && count > 0)
      throw new UsageError(
        `serving.${t.model}.deployments: none of ${names.join(', ')} runs version ${version} (pod template label ${LABEL}: "${version}"); label that version's Deployment so mlctl can give it ${count} replicas`,
      );
    if (runs[0]) runs[0].setIn(['spec', 'replicas'], count);
  }
}
