import { UsageError } from '../errors.js';
import { parseRef, formatRef } from '../refs.js';
import { parseDuration } from '../util/duration.js';
import { closeMatches } from '../util/text.js';
import { AUDIT_ACTIONS } from './actions.js';
import { resolveRef } from '../registry/resolve.js';
import type { EventRecord, Registry } from '../../ports/registry.js';

/** An ISO date or time, or a duration meaning that long before now ("7d"). */
export function parseTime(text: string, what: string, now: Date): string {
  if (/^\d+(\.\d+)?(ms|s|m|h|d|w)+/.test(text)) {
    return new Date(now.getTime() - parseDuration(text, what)).toISOString();
  }
  const iso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text);
  const t = new Date(text.length === 10 ? `${text}T00:00:00Z` : text);
  if (!iso || Number.isNaN(t.getTime())) {
    throw new UsageError(
      `${what} ${JSON.stringify(text)} is not a date; use e.g. 2026-11-01, 2026-11-01T09:30:00Z or 7d`,
    );
  }
  return t.toISOString();
}

export interface AuditQuery {
  model?: string;
  ref?: string;
  action?: string;
  actor?: string;
  since?: string;
  until?: string;
  limit?: number;
}

export async function queryAudit(registry: Registry, q: AuditQuery, now: Date): Promise<EventRecord[]> {
  if (q.action && !(AUDIT_ACTIONS as readonly string[]).includes(q.action)) {
    const close = closeMatches(q.action, AUDIT_ACTIONS);
    throw new UsageError(
      `unknown action ${JSON.stringify(q.action)}${close.length ? `; did you mean ${close.join(', ')}?` : ''} (actions: ${AUDIT_ACTIONS.join(', ')})`,
    );
  }
  let subject: string | undefined;
  let model = q.model;
  if (q.ref) {
    const r = parseRef(q.ref, { allowBare: false });
    // Aliases move, so resolve them to the version they name now.
    const v = await resolveRef(registry, r);
    subject = formatRef(v);
    model ??= v.model;
  }
  return await registry.events({
    model,
    subject,
    action: q.action,
    actor: q.actor,
    since: q.since ? parseTime(q.since, '--since', now) : undefined,
    until: q.until ? parseTime(q.until, '--until', now) : undefined,
    limit: q.limit,
  });
}
