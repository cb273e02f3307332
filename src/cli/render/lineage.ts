import { shortHash } from '../../core/util/text.js';
import { formatInterval } from '../../core/rollout/looks.js';
import type { LineageNode } from '../../core/audit/lineage.js';

const shortDigest = (d: string | null) => (d ? `${shortHash(d)}…` : '-');

function describe(n: LineageNode): string {
  const bits = [n.status, ...(n.aliases.length ? [`aliases: ${n.aliases.join(', ')}`] : [])];
  return `${n.ref} (${bits.join('; ')})`;
}

function facts(n: LineageNode): string[] {
  const out = [
    `data ${shortDigest(n.data)}`,
    `code ${n.code.commit ? `${shortHash(n.code.commit)}${n.code.dirty ? ' (dirty)' : ''}${n.code.branch ? ` on ${n.code.branch}` : ''}${n.code.remote ? ` ${n.code.remote}` : ''}` : '-'}`,
  ];
  if (n.config) out.push(`config ${JSON.stringify(n.config).slice(0, 80)}`);
  if (n.requirements) out.push(`requirements ${shortDigest(n.requirements)}`);
  for (const g of n.gateRuns)
    out.push(`gate run #${g.id}: ${g.verdict}${g.baseline ? ` vs ${g.baseline}` : ''} at ${g.at}`);
  for (const r of n.rollouts) {
    out.push(
      `rollout #${r.id} ${r.state} at ${r.stage} (started ${r.startedAt})${r.commits.length ? `; commits ${r.commits.map((c) => shortHash(c)).join(', ')}` : ''}`,
    );
    for (const c of r.liveChecks)
      out.push(
        `  ${c.stage}: ${c.check} ${c.verdict}, candidate worse by ${formatInterval(c.lower, c.upper)} (margin ${c.margin}, ${c.looks} look(s))`,
      );
  }
  for (const c of n.championChanges)
    out.push(
      `${c.change} at ${c.at} by ${c.actor}${c.reason ? ` — ${c.reason}` : ''}${c.adr ? ` (ADR ${c.adr})` : ''}`,
    );
  for (const a of n.adrs) if (!n.championChanges.some((c) => c.adr === a)) out.push(`ADR ${a}`);
  return out;
}

/** A readable tree: the version's facts, its ancestry above, its descendants below. */
export function renderLineageTree(n: LineageNode): string {
  const lines: string[] = [describe(n)];
  for (const f of facts(n)) lines.push(`│ ${f}`);
  const walk = (list: LineageNode[], prefix: string, label: string, key: 'parents' | 'children') => {
    list.forEach((c, i) => {
      const last = i === list.length - 1;
      lines.push(`${prefix}${last ? '└─' : '├─'} ${label} ${describe(c)}${c.truncated ? ' …' : ''}`);
      const inner = `${prefix}${last ? '   ' : '│  '}`;
      for (const f of facts(c)) lines.push(`${inner}  ${f}`);
      walk(c[key], inner, label, key);
    });
  };
  if (n.parents.length) {
    lines.push('upstream:');
    walk(n.parents, '', 'parent', 'parents');
  }
  if (n.children.length) {
    lines.push('downstream:');
    walk(n.children, '', 'child', 'children');
  }
  return `${lines.join('\n')}\n`;
}

function edges(n: LineageNode, out: Array<[string, string]>, seen = new Set<string>()): void {
  if (seen.has(n.ref)) return;
  seen.add(n.ref);
  for (const p of n.parents) {
    out.push([p.ref, n.ref]);
    edges(p, out, seen);
  }
  for (const c of n.children) {
    out.push([n.ref, c.ref]);
    edges(c, out, seen);
  }
}

const id = (ref: string) => ref.replace(/[^A-Za-z0-9]/g, '_');

export function renderLineageMermaid(n: LineageNode): string {
  const e: Array<[string, string]> = [];
  edges(n, e);
  const nodes = new Set([n.ref, ...e.flat()]);
  const lines = ['```mermaid', 'graph TD'];
  for (const r of nodes) lines.push(`  ${id(r)}["${r}"]`);
  if (n.data) lines.push(`  data_${id(n.data.slice(7, 19))}[("data ${shortHash(n.data)}…")] --> ${id(n.ref)}`);
  if (n.code.commit)
    lines.push(`  code_${shortHash(n.code.commit)}{{"commit ${shortHash(n.code.commit)}"}} --> ${id(n.ref)}`);
  for (const [a, b] of e) lines.push(`  ${id(a)} --> ${id(b)}`);
  for (const g of n.gateRuns) lines.push(`  ${id(n.ref)} -.-> gate_${g.id}(["gate #${g.id}: ${g.verdict}"])`);
  lines.push(`  style ${id(n.ref)} stroke-width:3px`, '```');
  return `${lines.join('\n')}\n`;
}

export function renderLineageDot(n: LineageNode): string {
  const e: Array<[string, string]> = [];
  edges(n, e);
  const nodes = new Set([n.ref, ...e.flat()]);
  const lines = ['digraph lineage {', '  rankdir=LR;', '  node [shape=box];'];
  for (const r of nodes) lines.push(`  ${JSON.stringify(r)}${r === n.ref ? ' [penwidth=3]' : ''};`);
  if (n.data)
    lines.push(
      `  ${JSON.stringify(`data ${shortHash(n.data)}…`)} [shape=cylinder];`,
      `  ${JSON.stringify(`data ${shortHash(n.data)}…`)} -> ${JSON.stringify(n.ref)};`,
    );
  for (const [a, b] of e) lines.push(`  ${JSON.stringify(a)} -> ${JSON.stringify(b)};`);
  for (const g of n.gateRuns)
    lines.push(`  ${JSON.stringify(n.ref)} -> ${JSON.stringify(`gate #${g.id}: ${g.verdict}`)} [style=dashed];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
