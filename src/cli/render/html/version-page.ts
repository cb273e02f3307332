import { h, type Html } from './escape.js';
import { badge, bytes, link, num, shortDigest, signed, time, type Links } from './format.js';
import { lineageSvg } from './lineage.js';
import { aliasList, facts, gateRunsTable, rolloutsTable, tagList } from './parts.js';
import type { VersionView } from '../../../core/views/version.js';

export function versionBody(v: VersionView, links: Links): Html {
  const code = v.code.commit
    ? `${v.code.commit.slice(0, 12)}${v.code.branch ? ` on ${v.code.branch}` : ''}${v.code.dirty ? ' (dirty)' : ''}${v.code.remote ? ` · ${v.code.remote}` : ''}`
    : '–';
  return h`<h1>${link(links.model(v.model), v.model)}@${v.version} ${badge(v.status)} ${aliasList(v.aliases)}</h1>
${v.description ? h`<p class="desc">${v.description}</p>` : ''}
${facts([
  ['created', `${time(v.createdAt)} by ${v.createdBy}`],
  ['champion now', v.champion ? link(links.version(v.champion), v.champion) : 'none'],
  ['parent', v.parent ? link(links.version(v.parent), v.parent) : '–'],
  ['manifest', h`<span class="mono">${v.manifestDigest}</span>`],
  ['data', h`<span class="mono">${v.dataHash ?? '\u2013'}</span>`],
  ['code', h`<span class="mono">${code}</span>`],
  ['tags', Object.keys(v.tags).length ? tagList(v.tags) : '–'],
  ['ADRs', v.adrs.length ? h`<span class="mono">${v.adrs.join(', ')}</span>` : '\u2013'],
  ['audit', link(links.audit({ ref: v.ref }), 'events of this version')],
])}
<h2>Metrics vs the champion${v.champion && v.champion !== v.ref ? ` (${v.champion})` : ''}</h2>
${
  v.metrics.length
    ? h`<table class="sortable metrics"><thead><tr><th>metric</th><th>slice</th><th class="n">value</th><th class="n">champion</th><th class="n">difference</th><th>dataset</th></tr></thead><tbody>${v.metrics.map(
        (m) =>
          h`<tr><td>${m.name}</td><td>${m.slice ?? 'overall'}</td><td class="n">${num(m.value)}</td><td class="n">${num(m.champion)}</td><td class="n">${signed(m.delta)}${m.sameDataset === false ? h` <span class="badge b-warn" title="computed on different datasets">\u2260 data</span>` : ''}</td><td class="mono">${shortDigest(m.datasetDigest, 8)}</td></tr>`,
      )}</tbody></table>`
    : h`<p class="muted">No metrics registered.</p>`
}
<h2>Lineage</h2>
<p class="muted">Parents and children up to three levels each way; dashed boxes are training datasets (versions trained on the same data share one).</p>
${lineageSvg(v.lineage, links)}
<h2>Gate runs</h2>
${gateRunsTable(v.gateRuns, links)}
<h2>Rollouts</h2>
${rolloutsTable(v.rollouts, links)}
<h2>Files (${v.files.length}, ${bytes(v.totalSize)})</h2>
<div class="scroll"><table class="sortable files"><thead><tr><th>path</th><th class="n">size</th><th>sha256</th></tr></thead><tbody>${v.files.map(
    (f) =>
      h`<tr><td class="mono">${f.path}</td><td class="n" data-v="${f.size}">${bytes(f.size)}</td><td class="mono">${f.sha256.slice(0, 16)}\u2026</td></tr>`,
  )}</tbody></table></div>
<h2>Schema</h2>
${
  v.schema.length
    ? h`<table class="schema"><thead><tr><th>side</th><th>name</th><th>type</th><th>required</th><th>nullable</th><th>values / shape</th><th>description</th></tr></thead><tbody>${v.schema.map(
        (f) =>
          h`<tr><td>${f.side}</td><td class="mono">${f.name}</td><td>${f.type}</td><td>${f.required ? 'yes' : 'no'}</td><td>${f.nullable ? 'yes' : 'no'}</td><td>${f.values ? f.values.join(', ') : f.shape ? `[${f.shape.join(', ')}]` : '\u2013'}</td><td class="desc">${f.description ?? ''}</td></tr>`,
      )}</tbody></table>`
    : h`<p class="muted">No feature schema registered.</p>`
}
${v.config !== null && v.config !== undefined ? h`<h2>Config</h2><pre>${JSON.stringify(v.config, null, 2)}</pre>` : ''}`;
}
