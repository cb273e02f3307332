import { VERSION_STATUSES, type Registry, type RolloutRecord, type VersionStatus } from '../../ports/registry.js';

/**
 * The candidate's status before rollout `r` started, as its rollout.start (or adoption) event recorded it (issue
 * 11.6: an archived version forced into a rollout and aborted is archived again). Rollouts started
 * before that field existed fall back to what a gate run implies.
 */
export async function statusBeforeRollout(
  registry: Registry,
  r: RolloutRecord,
  subject: string,
): Promise<VersionStatus> {
  const started = [
    ...(await registry.events({ subject, action: 'rollout.start' })),
    // A rollout whose start was adopted after its process died (ADR 26).
    ...(await registry.events({ subject, action: 'step.adopt' })).filter(
      (e) => (e.payload as { action?: unknown }).action === 'start',
    ),
  ];
  for (const e of started) {
    const p = e.payload as { rollout?: unknown; previousStatus?: unknown };
    if (p.rollout !== r.id) continue;
    const s = p.previousStatus as VersionStatus;
    if (VERSION_STATUSES.includes(s) && s !== 'staging' && s !== 'production') return s;
    break;
  }
  return r.gateRunId !== null ? 'validated' : 'registered';
}
