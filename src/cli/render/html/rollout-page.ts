import { h, type Html } from './escape.js';
import { badge, link, num, time, type Links } from './format.js';
import { intervalChart, timelineChart } from './charts.js';
import { facts } from './parts.js';
import type { CompareCheckSeries, RolloutPageView } from '../../../core/views/rollout.js';

/** Live compare checks: one chart per check and stage, and the looks as a table. */
export function compareSection(series: CompareCheckSeries[]): Html {
  return h`<h2>Live comparison with the champion</h2>
<p class="muted">Each look's confidence interval for d, how much worse the candidate is (positive: worse). The check fails when the whole interval is above the margin and passes when it is below.</p>
<div class="charts">${series.map(
    (s) =>
      h`<figure data-compare="${s.name}"><figcaption>${s.name}${s.stage ? ` · ${s.stage}` : ''}</figcaption>${
        s.looks.length ? intervalChart({ name: s.name, looks: s.looks }) : h`<p class="muted">No looks yet.</p>`
      }<details><summary>${s.looks.length} look(s)</summary><table class="looks"><thead><tr><th>at</th><th class="n">estimate</th><th class="n">lower</th><th class="n">upper</th><th class="n">margin</th><th>verdict</th></tr></thead><tbody>${s.looks.map(
        (l) =>
          h`<tr><td>${time(l.at)}</td><td class="n">${num(l.estimate)}</td><td class="n">${num(l.lower)}</td><td class="n">${num(l.upper)}</td><td class="n">${num(l.margin)}</td><td>${badge(l.verdict)}</td></tr>`,
      )}</tbody></table></details></figure>`,
  )}</div>`;
}

export function rolloutBody(v: RolloutPageView, links: Links): Html {
  const entered = v.stages.filter((s) => s.enteredAt);
  const bars = entered.map((s) => ({
    label: s.stage,
    start: s.enteredAt!,
    end: s.leftAt,
    cls: s.status === 'current' ? 'current' : s.status === 'aborted' ? 'aborted' : '',
    note: `${time(s.enteredAt)} → ${s.leftAt ? time(s.leftAt) : 'now'}${s.commit ? `, commit ${s.commit.slice(0, 10)}` : ''}`,
  }));
  return h`<h1>Rollout #${v.id}: ${link(links.version(v.candidate), v.candidate)} ${badge(v.state)}</h1>
${facts([
  ['model', link(links.model(v.model), v.model)],
  ['champion at start', v.champion ? link(links.version(v.champion), v.champion) : 'none'],
  ['plan', v.plan],
  ['started', `${time(v.startedAt)} by ${v.startedBy}`],
  ['ended', v.endedAt ? time(v.endedAt) : 'in progress'],
  ['outcome', v.outcome ? h`<span class="desc">${v.outcome}</span>` : '–'],
  ['gate run', v.gateRunId !== null ? link(links.gateRun(v.gateRunId), `#${v.gateRunId}`) : 'none (forced)'],
  ['ADR', v.adr ? h`<span class="mono">${v.adr}</span>` : '–'],
])}
<h2>Stages</h2>
${bars.length ? timelineChart(bars, v.endedAt ?? v.meta.generatedAt) : ''}
<table class="stages"><thead><tr><th class="n">step</th><th>stage</th><th>status</th><th>entered</th><th>left</th><th>commit</th><th>by</th><th>bake</th><th>checks</th><th>note</th></tr></thead><tbody>${v.stages.map(
    (s) =>
      h`<tr data-stage="${s.index}"><td class="n">${s.index + 1}</td><td>${s.stage}</td><td>${badge(s.status)}</td><td>${time(s.enteredAt)}</td><td>${time(s.leftAt)}</td><td class="mono">${s.commit ? s.commit.slice(0, 12) : '–'}</td><td>${s.by ?? '–'}</td><td>${s.minDuration}${s.auto ? ', auto' : ''}</td><td>${s.checks.join(', ') || '–'}</td><td class="desc">${s.forced ? 'forced' : ''}${s.reason ? `${s.forced ? ': ' : ''}${s.reason}` : ''}</td></tr>`,
  )}</tbody></table>
${v.compareChecks && v.compareChecks.length ? compareSection(v.compareChecks) : ''}
<h2>Check results</h2>
${
  v.checkRuns.length
    ? h`<div class="scroll"><table class="check-runs"><thead><tr><th>at</th><th>stage</th><th>check</th><th>status</th><th class="n">value</th><th>detail</th></tr></thead><tbody>${v.checkRuns.flatMap(
        (r) =>
          r.results.map(
            (c) =>
              h`<tr><td>${time(r.at)}</td><td>${r.stage ?? '–'}</td><td>${c.name}</td><td>${badge(c.status)}</td><td class="n">${num(c.value)}</td><td class="desc">${c.detail}</td></tr>`,
          ),
      )}</tbody></table></div>`
    : h`<p class="muted">No checks have run.</p>`
}
<h2>Events</h2>
<table class="events"><thead><tr><th class="n">seq</th><th>at</th><th>actor</th><th>action</th><th>detail</th><th>commit</th></tr></thead><tbody>${v.events.map(
    (e) =>
      h`<tr><td class="n">${e.seq}</td><td>${time(e.at)}</td><td>${e.actor}</td><td>${e.action}</td><td class="desc">${e.detail}</td><td class="mono">${e.commit ? e.commit.slice(0, 12) : '–'}</td></tr>`,
  )}</tbody></table>`;
}
