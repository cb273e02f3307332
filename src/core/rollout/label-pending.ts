import { pendingOf, type PendingLabel } from './pending.js';
import { renderServing, type ServingEdit } from './serving-files.js';
import type { ServingSpec } from '../config/index.js';
import type { TrafficTarget } from '../serving/types.js';
import type { RolloutRecord } from '../../ports/registry.js';

/** The labels a step's edits left for a later commit, as the rollout's pending step (null: none). */
export function pendingFrom(
  edits: readonly ServingEdit[],
  o: { stage: string; action: string; since: string; commit: string | null },
): PendingLabel | null {
  const labels: Record<string, number> = {};
  for (const e of edits) for (const l of e.pendingLabels ?? []) labels[l.label] = l.version;
  if (!Object.keys(labels).length) return null;
  return { kind: 'label', stage: o.stage, action: o.action, since: o.since, loadCommit: o.commit, labels };
}

/** Would writing `target` now leave labels pending? (A dry render: nothing is written.) */
export function leavesLabelsPending(root: string, model: string, spec: ServingSpec, target: TrafficTarget): boolean {
  if (spec.adapter !== 'tfserving') return false;
  return renderServing(root, model, spec, target).some((e) => e.pendingLabels?.length);
}

/** "canary → 2, stable → 2" */
export const labelList = (p: PendingLabel): string =>
  Object.entries(p.labels)
    .map(([l, v]) => `${l} → ${v}`)
    .join(', ');

/** A rollout's pending label step, or null (another kind of pending step is not this file's business). */
export function pendingLabelOf(r: RolloutRecord): PendingLabel | null {
  const p = pendingOf(r);
  return p?.kind === 'label' ? p : null;
}
