import { mdCode, mdInline, mdLink, mdQuote, mdTable } from './markdown.js';

/** The steps of a rollout that can become a pull request. */
export type StepKind = 'start' | 'advance' | 'full' | 'abort' | 'rollback';

export interface StageView {
  stage: 'shadow' | 'canary' | 'ramp' | 'full';
  weight?: number;
  mirror?: number;
}

/** Everything a step's pull request says, as plain data (the engine gathers it; nothing is looked up here). */
export interface StepEvidence {
  kind: StepKind;
  model: string;
  candidate: number;
  /** The version serving before the rollout (the one a rollback returns to). */
  champion: number | null;
  rollout: number | string;
  /** Where this step takes traffic; for abort and rollback, where it was. */
  stage: StageView;
  /** The stage before this step (advance). */
  from?: StageView;
  /** The stage's minimum bake time, e.g. "30m": it starts when the pull request is merged. */
  bake?: string;
  actor: string;
  /** Free text from the person or the check that asked for the step. */
  reason?: string;
  /** Aborts and rollbacks opened as pull requests (rollback.mode: pull-request). */
  urgent?: boolean;
  gate?: {
    runId: number;
    verdict: 'pass' | 'fail' | 'inconclusive';
    policy?: string;
    /** Promoted despite the gate (--force). */
    forced?: boolean;
    checks: Array<{ id: string; verdict: string; inequality: string; severity?: 'error' | 'warn' }>;
  };
  /** Live checks evaluated before this step (and their confidence intervals, when the check has one). */
  liveChecks?: Array<{
    name: string;
    status: 'pass' | 'fail' | 'inconclusive' | 'error';
    value?: number | null;
    min?: number | null;
    max?: number | null;
    interval?: { low: number; high: number; level: number } | null;
    detail?: string;
  }>;
  /** Replicas before → after, per side. */
  capacity?: Array<{ side: 'candidate' | 'champion'; from: number | null; to: number }>;
  /** The decision record, relative to the repository root; url: its page on the host. */
  adr?: { path: string; title?: string; url?: string };
  /** Files the pull request changes, relative to the repository root. */
  files: string[];
}

const MAX_ROWS = 25;
/** GitHub refuses bodies over 65,536 characters; leave room for a host's own additions. */
export const MAX_BODY = 60_000;

export function describeStageView(s: StageView): string {
  if (s.stage === 'shadow') return `shadow (mirror ${s.mirror}%)`;
  if (s.stage === 'full') return 'full';
  return `${s.stage} ${s.weight}%`;
}

function traffic(s: StageView, candidate: string, champion: string): string {
  if (s.stage === 'full') return `${candidate} 100%`;
  if (s.stage === 'shadow') return `${champion} 100%, ${s.mirror}% mirrored to ${candidate}`;
  return `${candidate} ${s.weight}%, ${champion} ${100 - (s.weight ?? 0)}%`;
}

const ref = (model: string, v: number | null) => (v === null ? `${model} (none)` : `${model}@${v}`);

/** The pull request's title: plain text, from validated names only (no user text). */
export function stepTitle(e: StepEvidence): string {
  const cand = ref(e.model, e.candidate);
  const urgent = e.urgent ? '[urgent] ' : '';
  switch (e.kind) {
    case 'start':
    case 'advance':
      return `mlctl: ${cand} ${describeStageView(e.stage)}`;
    case 'full':
      return `mlctl: ${cand} full (champion)`;
    case 'abort':
      return `${urgent}mlctl: abort ${cand} rollout at ${describeStageView(e.stage)}`;
    case 'rollback':
      return `${urgent}mlctl: roll back ${e.model} to ${e.champion === null ? 'no model' : `@${e.champion}`}`;
  }
}

function num(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  if (!Number.isFinite(x)) return String(x);
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}

function capped<T>(rows: T[], render: (r: T) => string[]): { rows: string[][]; more: number } {
  return { rows: rows.slice(0, MAX_ROWS).map(render), more: Math.max(0, rows.length - MAX_ROWS) };
}

const VERDICT: Record<string, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  warn: '⚠️ warn',
  inconclusive: '❔ inconclusive',
  error: '⚠️ error',
  skip: '➖ skip',
};
const verdict = (v: string) => VERDICT[v] ?? mdInline(v);

function summary(e: StepEvidence): string {
  const cand = mdCode(ref(e.model, e.candidate));
  const champ = mdCode(ref(e.model, e.champion));
  const stage = describeStageView(e.stage);
  switch (e.kind) {
    case 'start':
      return `Starts the rollout of ${cand} at **${stage}**.`;
    case 'advance':
      return `Moves the rollout of ${cand} from **${e.from ? describeStageView(e.from) : 'the previous stage'}** to **${stage}**.`;
    case 'full':
      return `Sends all traffic to ${cand}: when merged, it becomes the champion in place of ${champ}.`;
    case 'abort':
      return `Aborts the rollout of ${cand} at **${stage}**: all traffic back to ${champ}.`;
    case 'rollback':
      return `Rolls ${mdCode(e.model)} back to ${champ}.`;
  }
}

function whenMerged(e: StepEvidence): string {
  const where = e.from ? describeStageView(e.from) : 'where it is';
  if (e.kind === 'abort' || e.kind === 'rollback')
    return 'Merging this pull request applies the change. Until it is merged, the serving config still sends traffic as before.';
  const bake = e.bake ? ` The stage's bake time (${mdInline(e.bake)}) starts at the merge.` : '';
  const stays = e.kind === 'start' ? 'the rollout does not start' : `the rollout stays at ${where}`;
  return `Merging this pull request applies the change; mlctl records the step with the merge commit.${bake} Closing it without merging cancels the step: ${stays}.`;
}

function gateSection(g: NonNullable<StepEvidence['gate']>): string {
  // Failing and inconclusive checks first: they are what a reviewer must see.
  const order = ['fail', 'inconclusive', 'warn', 'error', 'pass', 'skip'];
  const checks = [...g.checks].sort((a, b) => order.indexOf(a.verdict) - order.indexOf(b.verdict));
  const t = capped(checks, (c) => [mdInline(c.id), verdict(c.verdict), mdCode(c.inequality)]);
  return [
    `### Gate run ${g.runId}: ${verdict(g.verdict)}${g.forced ? ' — promoted anyway (--force)' : ''}`,
    g.policy ? `Policy: ${mdCode(g.policy)}` : '',
    t.rows.length ? mdTable(['Check', 'Verdict', 'Evidence'], t.rows) : '_No checks._',
    t.more ? `…and ${t.more} more checks (\`mlctl gate\` shows them all).` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

function liveSection(checks: NonNullable<StepEvidence['liveChecks']>): string {
  const withInterval = checks.some((c) => c.interval);
  const t = capped(checks, (c) => {
    const bounds = [c.min != null ? `≥ ${num(c.min)}` : '', c.max != null ? `≤ ${num(c.max)}` : '']
      .filter(Boolean)
      .join(', ');
    const iv = c.interval
      ? `\\[${num(c.interval.low)}, ${num(c.interval.high)}\\] (${num(c.interval.level * 100)}%)`
      : '—';
    return [
      mdInline(c.name),
      verdict(c.status),
      num(c.value),
      bounds || '—',
      ...(withInterval ? [iv] : []),
      c.detail ? mdInline(c.detail) : '',
    ];
  });
  return [
    '### Live checks',
    mdTable(['Check', 'Status', 'Value', 'Bounds', ...(withInterval ? ['Interval'] : []), 'Detail'], t.rows),
    t.more ? `…and ${t.more} more checks.` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** The Markdown body of a step's pull request: what changes, why, and the evidence for it. */
export function stepBody(e: StepEvidence): string {
  const cand = ref(e.model, e.candidate);
  const champ = ref(e.model, e.champion);
  const target: StageView = e.kind === 'abort' || e.kind === 'rollback' ? { stage: 'full' } : e.stage;
  const sections: string[] = [];
  // A marker for tools (and people) reading the pull request later; JSON of validated names only.
  const marker = JSON.stringify({ model: e.model, rollout: e.rollout, kind: e.kind, candidate: e.candidate });
  sections.push(`<!-- mlctl-step ${marker.replace(/--/g, '- -')} -->`);
  if (e.urgent)
    sections.push(
      `> [!CAUTION]\n> Urgent: this pull request sends all traffic back to ${mdCode(champ)}. Review and merge it as soon as possible.`,
    );
  sections.push(summary(e));
  const rows: string[][] = [
    ['Model', mdCode(e.model)],
    ['Candidate', mdCode(cand)],
    ['Champion', mdCode(champ)],
    ['Rollout', mdInline(String(e.rollout))],
    ['Step', `${e.kind}${e.from ? ` (from ${describeStageView(e.from)})` : ''}`],
    [
      'Traffic after merge',
      e.kind === 'abort' || e.kind === 'rollback'
        ? `${mdCode(champ)} 100%`
        : traffic(target, mdCode(cand), mdCode(champ)),
    ],
    ['Requested by', mdInline(e.actor)],
  ];
  sections.push(mdTable(['', ''], rows));
  if (e.reason?.trim()) sections.push(`**Reason**\n\n${mdQuote(e.reason)}`);
  sections.push(whenMerged(e));
  if (e.gate) sections.push(gateSection(e.gate));
  if (e.liveChecks?.length) sections.push(liveSection(e.liveChecks));
  if (e.capacity?.length)
    sections.push(
      `### Capacity\n\n${mdTable(
        ['Side', 'Replicas'],
        e.capacity.map((c) => [c.side, `${c.from === null ? '—' : c.from} → ${c.to}`]),
      )}`,
    );
  if (e.adr) {
    const label = e.adr.title ? `${e.adr.title} (${e.adr.path})` : e.adr.path;
    sections.push(`### Decision record\n\n${e.adr.url ? mdLink(label, e.adr.url) : mdCode(e.adr.path)}`);
  }
  if (e.files.length) {
    const t = capped(e.files, (f) => [mdCode(f)]);
    sections.push(
      `### Files\n\n${t.rows.map((r) => `- ${r[0]}`).join('\n')}${t.more ? `\n- …and ${t.more} more` : ''}`,
    );
  }
  sections.push(
    '<sub>Opened by mlctl. Review the change and merge it to apply the step; to change the step, close this pull request and run mlctl again.</sub>',
  );
  let body = sections.join('\n\n');
  if (body.length > MAX_BODY)
    body = `${body.slice(0, MAX_BODY - 80).replace(/\n[^\n]*$/, '')}\n\n…(cut: the evidence is longer than a pull request body may be)`;
  return `${body}\n`;
}
