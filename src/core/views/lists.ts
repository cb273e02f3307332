import { queryAudit, type AuditQuery } from '../audit/query.js';
import { AUDIT_ACTIONS } from '../audit/actions.js';
import { metaOf, type ViewMeta } from './common.js';
import type { EventRecord, ModelSummary, Registry } from '../../ports/registry.js';

/** Most events an audit page lists when no --limit is given (the page says when it cut). */
export const AUDIT_PAGE_LIMIT = 500;

export interface ModelsView {
  kind: 'models';
  meta: ViewMeta;
  models: ModelSummary[];
  openRollouts: Array<{ id: number; model: string; state: string }>;
}

export async function buildModelsView(registry: Registry, now: Date): Promise<ModelsView> {
  return {
    kind: 'models',
    meta: metaOf(registry, now),
    models: await registry.listModels(),
    openRollouts: (await registry.rollouts({ open: true })).map((r) => ({ id: r.id, model: r.model, state: r.state })),
  };
}

export interface AuditView {
  kind: 'audit';
  meta: ViewMeta;
  /** The filters as given (echoed into the page's form). */
  filters: AuditQuery;
  actions: readonly string[];
  events: EventRecord[];
  /** More events matched than the page shows. */
  truncated: boolean;
}

/** The same filters as `mlctl audit`: --model, --ref, --action, --actor, --since, --until, --limit. */
export async function buildAuditView(registry: Registry, filters: AuditQuery, now: Date): Promise<AuditView> {
  const limit = filters.limit ?? AUDIT_PAGE_LIMIT;
  const events = await queryAudit(registry, { ...filters, limit: limit + 1 }, now);
  return {
    kind: 'audit',
    meta: metaOf(registry, now),
    filters,
    actions: AUDIT_ACTIONS,
    events: events.slice(0, limit),
    truncated: events.length > limit,
  };
}
