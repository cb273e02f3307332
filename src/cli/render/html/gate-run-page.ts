import { h, type Html } from './escape.js';
import { badge, link, num, shortDigest, time, type Links } from './format.js';
import { curveChart } from './charts.js';
import { facts, summaryText } from './parts.js';
import type { GateRunView } from '../../../core/views/gate-run.js';

function p(x: number | undefined): string {
  if (x === undefined) return '–';
  return x < 1e-4 ? x.toExponential(2).replace('-', '−') : x.toFixed(4);
}

export function gateRunBody(v: GateRunView, links: Links): Html {
  const c = v.curves;
  const series = (kind: 'roc' | 'pr') => [
    { name: v.candidate, points: c!.candidate[kind] },
    ...(c!.baseline && v.baseline ? [{ name: v.baseline, points: c!.baseline[kind] }] : []),
  ];
  const legend = c
    ? h`<p class="legend"><span><i class="l0"></i>candidate ${v.candidate}</span>${c.baseline && v.baseline ? h`<span><i class="l1"></i>baseline ${v.baseline}</span>` : ''}<span class="muted">${c.rows} rows, ${c.positives} positive</span></p>`
    : '';
  return h`<h1>Gate run #${v.id}: ${link(links.version(v.candidate), v.candidate)} vs ${v.baseline ? link(links.version(v.baseline), v.baseline) : 'no baseline'}</h1>
<div class="verdict ${v.verdict}">${badge(v.verdict)} ${summaryText(v.summary)}</div>
${facts([
  ['at', `${time(v.at)} by ${v.actor}`],
  ['source', v.source],
  ['policy', h`${v.policy.file ?? '\u2013'} <span class="mono">${shortDigest(v.policy.digest)}</span>`],
  [
    'evaluation data',
    h`<span class="mono">${v.dataset.digest ?? '\u2013'}</span>${v.dataset.rows !== null ? ` (${v.dataset.rows} rows)` : ''}`,
  ],
])}
<h2>Checks</h2>
${
  v.checks.length
    ? h`<table class="sortable checks"><thead><tr><th>check</th><th>metric</th><th>slice</th><th>kind</th><th>verdict</th><th>inequality</th><th>test</th><th class="n">p-value</th><th>interval</th><th>note</th></tr></thead><tbody>${v.checks.map(
        (x) =>
          h`<tr data-check="${x.id}"><td class="mono">${x.id}</td><td>${x.metric ?? '\u2013'}</td><td>${x.slice ?? 'overall'}</td><td>${x.kind}</td><td>${badge(x.verdict)}${x.severity === 'warn' && x.verdict !== 'pass' ? ' (warn only)' : ''}</td><td class="mono">${x.inequality}</td><td>${x.test ?? '\u2013'}</td><td class="n">${p(x.p_value)}</td><td class="mono">${x.ci ? `[${num(x.ci[0])}, ${num(x.ci[1])}]` : '\u2013'}</td><td class="desc">${x.message ?? ''}</td></tr>`,
      )}</tbody></table>`
    : h`<p class="muted">The stored run has no checks.</p>`
}
<h2>ROC and precision\u2013recall</h2>
${
  c
    ? h`${legend}<div class="charts"><figure data-curve="roc"><figcaption>ROC</figcaption>${curveChart({ label: 'ROC curves', xLabel: 'false positive rate', yLabel: 'true positive rate', series: series('roc'), diagonal: true })}</figure><figure data-curve="pr"><figcaption>Precision\u2013recall</figcaption>${curveChart({ label: 'precision\u2013recall curves', xLabel: 'recall', yLabel: 'precision', series: series('pr'), diagonal: false })}</figure></div>`
    : h`<p class="muted">${v.source === 'metrics' ? 'This run compared registered metrics: there are no predictions to draw curves from.' : 'No curves were stored with this run (recorded before mlctl kept them, or the labels are not binary).'}</p>`
}`;
}
