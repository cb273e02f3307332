import type { PendingPullRequest } from './pending.js';
import type { Registry } from '../../ports/registry.js';

/**
 * A champion change outside a rollout (a rollback, the first version's promotion) opened as a pull
 * request has no rollout row to keep its pending state in. Its store is the audit log (ADR 28):
 * the `step.pull_request` event that recorded the pull request, until a `step.merged` or
 * `step.cancel` event names the same step. The log is shared exactly as far as the registry is,
 * needs no schema change, and a rollout row would make a rollback look like a rollout everywhere
 * rollouts are listed. One such step per model at a time (the opener refuses a second).
 */
export interface ChampionPending {
  model: string;
  pending: PendingPullRequest;
  /** The version it makes champion. */
  version: number;
}

/** The model's champion change waiting for its pull request, or null. */
export async function championPending(registry: Registry, model: string): Promise<ChampionPending | null> {
  const opened = (await registry.events({ model, action: 'step.pull_request', limit: 20 })).find(
    (e) => (e.payload as { rollout?: number | null }).rollout === null,
  );
  if (!opened) return null;
  const p = opened.payload as PendingPullRequest & { version: number };
  for (const action of ['step.merged', 'step.cancel']) {
    const settled = await registry.events({ model, action, limit: 50 });
    if (settled.some((e) => e.seq > opened.seq && (e.payload as { stepId?: string }).stepId === p.stepId)) return null;
  }
  const pending: PendingPullRequest = {
    kind: 'pull_request',
    stage: p.stage,
    action: p.action,
    since: p.since,
    number: p.number,
    url: p.url,
    branch: p.branch,
    stepId: p.stepId,
    commit: p.commit,
    base: p.base,
    label: p.label,
    urgent: p.urgent,
    adr: p.adr,
    effect: p.effect,
  };
  return { model, pending, version: p.version };
}
