import { buildModelView, type ModelView } from './model.js';
import { buildVersionView, type VersionView } from './version.js';
import { buildGateRunView, type GateRunView } from './gate-run.js';
import { buildRolloutView, type RolloutPageView } from './rollout.js';
import type { AuditView, ModelsView } from './lists.js';
import type { ReportTarget } from './target.js';
import type { Registry } from '../../ports/registry.js';

export type ReportView = ModelView | VersionView | GateRunView | RolloutPageView;
export type PageView = ReportView | ModelsView | AuditView;

/** The view model of one report target (`mlctl report`, and the ui's pages of the same kinds). */
export function buildReportView(registry: Registry, target: ReportTarget, now: Date): Promise<ReportView> {
  switch (target.kind) {
    case 'model':
      return buildModelView(registry, target.model, now);
    case 'version':
      return buildVersionView(registry, target.ref, now);
    case 'gate-run':
      return buildGateRunView(registry, target.id, now);
    case 'rollout':
      return buildRolloutView(registry, target.id, now);
  }
}
