import { h, type Html } from './escape.js';
import { badge, link, time, type Links } from './format.js';
import type { GateRunSummary, RolloutSummary } from '../../../core/views/common.js';

/** A definition list of label → value (values already markup or plain text). */
export function facts(rows: Array<[string, Html | string | number | null]>): Html {
  return h`<dl class="facts">${rows.map(([k, v]) => h`<dt>${k}</dt><dd>${v ?? '–'}</dd>`)}</dl>`;
}

export function aliasList(aliases: string[]): Html {
  return h`${aliases.map((a) => h`<span class="alias">${a}</span>`)}`;
}

export function tagList(tags: Record<string, string>): Html {
  return h`${Object.entries(tags).map(([k, v]) => h`<span class="tag">${k}=${v}</span>`)}`;
}

export function summaryText(s: GateRunSummary['summary']): string {
  if (!s) return '–';
  return (['pass', 'fail', 'warn', 'inconclusive', 'skip'] as const)
    .filter((k) => s[k])
    .map((k) => `${s[k]} ${k}`)
    .join(', ');
}

export function gateRunsTable(runs: GateRunSummary[], links: Links): Html {
  if (!runs.length) return h`<p class="muted">No gate runs.</p>`;
  return h`<div class="scroll"><table class="sortable gate-runs"><thead><tr><th class="n">run</th><th>candidate</th><th>baseline</th><th>verdict</th><th>checks</th><th>source</th><th>at</th><th>by</th></tr></thead><tbody>
${runs.map(
  (g) =>
    h`<tr data-gate-run="${g.id}"><td class="n">${link(links.gateRun(g.id), `#${g.id}`)}</td><td>${link(links.version(g.candidate), g.candidate)}</td><td>${g.baseline ? link(links.version(g.baseline), g.baseline) : '–'}</td><td>${badge(g.verdict)}</td><td>${summaryText(g.summary)}</td><td>${g.source}${g.hasCurves ? ' (curves)' : ''}</td><td data-v="${g.at}">${time(g.at)}</td><td>${g.actor}</td></tr>\n`,
)}</tbody></table></div>`;
}

export function rolloutsTable(rollouts: RolloutSummary[], links: Links): Html {
  if (!rollouts.length) return h`<p class="muted">No rollouts.</p>`;
  return h`<div class="scroll"><table class="sortable rollouts"><thead><tr><th class="n">rollout</th><th>candidate</th><th>champion</th><th>state</th><th>stage</th><th>plan</th><th>started</th><th>ended</th><th>outcome</th></tr></thead><tbody>
${rollouts.map(
  (r) =>
    h`<tr data-rollout="${r.id}"><td class="n">${link(links.rollout(r.id), `#${r.id}`)}</td><td>${link(links.version(r.candidate), r.candidate)}</td><td>${r.champion ? link(links.version(r.champion), r.champion) : '–'}</td><td>${badge(r.state)}</td><td>${r.stage} (${r.step}/${r.steps})</td><td>${r.plan}</td><td data-v="${r.startedAt}">${time(r.startedAt)} by ${r.startedBy}</td><td>${time(r.endedAt)}</td><td>${r.outcome ?? '–'}</td></tr>\n`,
)}</tbody></table></div>`;
}
