/**
 * One entry point for every HTML page: `mlctl report --html`, `gate --report-html` and `mlctl ui`
 * render the same view models with the same code; only the links differ.
 */
import { renderPage } from './page.js';
import { modelBody } from './model-page.js';
import { versionBody } from './version-page.js';
import { gateRunBody } from './gate-run-page.js';
import { rolloutBody } from './rollout-page.js';
import { auditBody, modelsBody, statusBody } from './list-pages.js';
import type { Links } from './format.js';
import type { PageView } from '../../../core/views/index.js';
import type { ViewMeta } from '../../../core/views/common.js';

export { serverLinks, staticLinks, type Links } from './format.js';

export function titleOf(v: PageView): string {
  switch (v.kind) {
    case 'model':
      return `model ${v.model.name}`;
    case 'version':
      return v.ref;
    case 'gate-run':
      return `gate run #${v.id} · ${v.candidate}`;
    case 'rollout':
      return `rollout #${v.id} · ${v.candidate}`;
    case 'models':
      return 'models';
    case 'audit':
      return 'audit log';
  }
}

export function renderView(v: PageView, links: Links): string {
  const body = (() => {
    switch (v.kind) {
      case 'model':
        return modelBody(v, links);
      case 'version':
        return versionBody(v, links);
      case 'gate-run':
        return gateRunBody(v, links);
      case 'rollout':
        return rolloutBody(v, links);
      case 'models':
        return modelsBody(v, links);
      case 'audit':
        return auditBody(v, links);
    }
  })();
  return renderPage({ title: titleOf(v), links, meta: v.meta, body });
}

export function renderStatus(code: number, title: string, message: string, links: Links, meta: ViewMeta): string {
  return renderPage({ title: `${code} ${title}`, links, meta, body: statusBody(code, title, message, links) });
}
