import { h, type Html } from './escape.js';
import { link, time, type Links } from './format.js';
import type { AuditView, ModelsView } from '../../../core/views/lists.js';

export function modelsBody(v: ModelsView, links: Links): Html {
  const open = new Map<string, number>();
  for (const r of v.openRollouts) open.set(r.model, r.id);
  return h`<h1>Models</h1>
${
  v.models.length
    ? h`<table class="sortable filterable models"><thead><tr><th>model</th><th class="n">versions</th><th class="n">latest</th><th class="n">champion</th><th>rollout</th><th>statuses</th><th>description</th></tr></thead><tbody>${v.models.map(
        (m) =>
          h`<tr data-model="${m.name}"><td>${link(links.model(m.name), m.name)}</td><td class="n">${m.versions}</td><td class="n">${m.latest ?? '–'}</td><td class="n">${m.champion ?? '–'}</td><td>${open.has(m.name) ? link(links.rollout(open.get(m.name)!), `#${open.get(m.name)} in progress`) : '–'}</td><td>${Object.entries(
            m.byStatus,
          )
            .map(([s, n]) => `${n} ${s}`)
            .join(', ')}</td><td class="desc">${m.description ?? ''}</td></tr>`,
      )}</tbody></table>`
    : h`<p class="muted">The registry has no models yet: mlctl register &lt;model&gt; &lt;folder&gt;.</p>`
}`;
}

export function auditBody(v: AuditView, links: Links): Html {
  const f = v.filters;
  const field = (name: string, value: string | number | undefined, placeholder: string) =>
    h`<label>${name}<input name="${name}" value="${value ?? ''}" placeholder="${placeholder}"></label>`;
  return h`<h1>Audit log</h1>
<form class="filters" method="get" action="">
${field('model', f.model, 'fraud')}${field('ref', f.ref, 'fraud@3')}
<label>action<select name="action"><option value="">any</option>${v.actions.map((a) => h`<option${a === f.action ? h` selected` : ''}>${a}</option>`)}</select></label>
${field('actor', f.actor, 'someone@example.com')}${field('since', f.since, '7d or 2026-11-01')}${field('until', f.until, '2026-12-01')}${field('limit', f.limit, '500')}
<button type="submit">filter</button></form>
<p class="muted">${v.events.length} event(s)${v.truncated ? `, newest first; more match: narrow the filters or raise the limit` : ''}.</p>
<div class="scroll"><table class="filterable events"><thead><tr><th class="n">seq</th><th>at</th><th>actor</th><th>action</th><th>subject</th><th>detail</th></tr></thead><tbody>${v.events.map(
    (e) =>
      h`<tr data-seq="${e.seq}"><td class="n">${e.seq}</td><td class="t">${time(e.at)}</td><td>${e.actor}</td><td>${e.action}</td><td>${e.subject ? link(links.version(e.subject), e.subject) : e.model ? link(links.model(e.model), e.model) : '–'}</td><td class="mono payload">${JSON.stringify(e.payload)}</td></tr>`,
  )}</tbody></table></div>`;
}

/** 404, 403, 405 and 500 pages of the ui. */
export function statusBody(code: number, title: string, message: string, links: Links): Html {
  const home = links.home();
  return h`<h1>${code} ${title}</h1><p class="desc">${message}</p>${home ? h`<p>${link(home, 'All models')}</p>` : ''}`;
}
