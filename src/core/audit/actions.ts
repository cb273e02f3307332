/** Every action the audit log records; `mlctl audit --action` accepts exactly these. */
export const AUDIT_ACTIONS = [
  'register',
  'alias.set',
  'alias.remove',
  'tag',
  'archive',
  'gate.run',
  'gc',
  'adr.recorded',
  'promote',
  'champion.set',
  'rollout.start',
  'rollout.stage',
  'rollout.check',
  'rollout.abort',
  'rollout.complete',
  'rollback',
  'override',
  'registry.unlock',
  'registry.create',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
