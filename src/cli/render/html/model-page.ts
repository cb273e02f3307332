import { h, type Html } from './escape.js';
import { badge, link, num, shortDigest, time, type Links } from './format.js';
import { metricChart } from './charts.js';
import { aliasList, facts, gateRunsTable, rolloutsTable, tagList } from './parts.js';
import type { ModelView, VersionRow } from '../../../core/views/model.js';

function versionRow(v: VersionRow, metrics: string[], links: Links, champion: number | null): Html {
  return h`<tr data-version="${v.version}"${v.version === champion ? h` class="focus"` : ''}><td class="n">${link(links.version(v.ref), v.version)}</td><td>${badge(v.status)}</td><td>${aliasList(v.aliases)}</td>${metrics.map(
    (m) => h`<td class="n">${num(v.metrics[m])}</td>`,
  )}<td class="n">${v.championAtRegistration ?? '–'}</td><td>${v.lastGate ? link(links.gateRun(v.lastGate.id), v.lastGate.verdict) : '–'}</td><td class="mono">${shortDigest(v.dataHash, 8)}</td><td class="mono">${v.codeCommit ? v.codeCommit.slice(0, 8) : '–'}</td><td data-v="${v.createdAt}">${time(v.createdAt)}</td><td>${v.createdBy}</td><td><span class="desc">${v.description ?? ''}</span> ${tagList(v.tags)}</td></tr>\n`;
}

export function modelBody(v: ModelView, links: Links): Html {
  const champions = [...new Set(v.championHistory.map((c) => c.version).filter((x): x is number => x !== null))];
  const bands = v.championBands.map((b) => ({
    from: b.fromVersion,
    to: b.toVersion,
    label: b.champion === null ? 'no champion' : `champion ${b.champion}`,
  }));
  const counts = new Map<string, number>();
  for (const x of v.versions) counts.set(x.status, (counts.get(x.status) ?? 0) + 1);
  return h`<h1>${v.model.name}</h1>
${v.model.description ? h`<p class="desc">${v.model.description}</p>` : ''}
${facts([
  [
    'champion',
    v.champion === null
      ? 'none'
      : link(links.version(`${v.model.name}@${v.champion}`), `${v.model.name}@${v.champion}`),
  ],
  ['versions', `${v.versions.length} (${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')})`],
  ['created', time(v.model.createdAt)],
  ['audit', link(links.audit({ model: v.model.name }), 'events of this model')],
])}
<h2>Metrics across versions</h2>
<p class="muted">Shaded bands: versions registered while the same version was champion (what they were measured against). Ringed points: versions that were champion at some time.</p>
${v.series.length ? h`<div class="charts">${v.series.map((s) => h`<figure data-metric="${s.metric}"><figcaption>${s.metric}</figcaption>${metricChart({ metric: s.metric, points: s.points, bands, champions })}<div class="readout"></div></figure>`)}</div>` : h`<p class="muted">No overall metrics registered.</p>`}
<h2>Champion history</h2>
${
  v.championHistory.length
    ? h`<table class="champions"><thead><tr><th>champion</th><th>from</th><th>until</th><th>by</th><th>via</th><th>why</th><th>ADR</th></tr></thead><tbody>${v.championHistory.map(
        (c) =>
          h`<tr><td>${c.version === null ? 'none' : link(links.version(`${v.model.name}@${c.version}`), `${v.model.name}@${c.version}`)}</td><td>${time(c.from)}</td><td>${c.to ? time(c.to) : 'now'}</td><td>${c.actor}</td><td>${c.via ?? '–'}</td><td class="desc">${c.reason ?? '–'}</td><td class="mono">${c.adr ?? '–'}</td></tr>`,
      )}</tbody></table>`
    : h`<p class="muted">No version has been champion yet.</p>`
}
<h2>Rollouts</h2>
${rolloutsTable(v.rollouts, links)}
<h2>Versions</h2>
<div class="scroll"><table class="sortable filterable versions"><thead><tr><th class="n">version</th><th>status</th><th>aliases</th>${v.tableMetrics.map(
    (m) => h`<th class="n">${m}</th>`,
  )}<th class="n" title="champion when registered">vs champion</th><th>last gate</th><th>data</th><th>code</th><th>created</th><th>by</th><th>description, tags</th></tr></thead><tbody>
${v.versions
  .slice()
  .reverse()
  .map((x) => versionRow(x, v.tableMetrics, links, v.champion))}</tbody></table></div>
${v.series.length > v.tableMetrics.length ? h`<p class="muted">The table shows ${v.tableMetrics.length} of ${v.series.length} metrics; every metric has its chart above.</p>` : ''}
<h2>Gate runs</h2>
${gateRunsTable(v.gateRuns, links)}`;
}
