/**
 * Lineage as a layered graph, laid out by hand (ADR 21): a version has at most one parent and the
 * graph is cut at a few levels each way, so it is a small DAG (tens of nodes) where longest-path
 * layering plus two barycenter sweeps gives a readable picture without a layout library.
 */
import { h, type Html } from './escape.js';
import type { Links } from './format.js';
import type { LineageGraph } from '../../../core/views/version.js';

const NODE_W = 168;
const NODE_H = 38;
const COL = 220;
const ROW = 52;
const PAD = 10;

export interface Placed {
  id: string;
  layer: number;
  x: number;
  y: number;
}

/** Layers by longest path from the sources; order within a layer by the mean position of neighbours. */
export function layout(g: LineageGraph): Map<string, Placed> {
  const ins = new Map<string, string[]>();
  const outs = new Map<string, string[]>();
  for (const n of g.nodes) {
    ins.set(n.id, []);
    outs.set(n.id, []);
  }
  for (const e of g.edges) {
    if (!ins.has(e.to) || !outs.has(e.from)) continue;
    ins.get(e.to)!.push(e.from);
    outs.get(e.from)!.push(e.to);
  }
  const layer = new Map<string, number>();
  const pending = new Map(g.nodes.map((n) => [n.id, ins.get(n.id)!.length]));
  const queue = g.nodes.filter((n) => pending.get(n.id) === 0).map((n) => n.id);
  for (const id of queue) layer.set(id, 0);
  // Kahn's order; every node is visited once (edges come from the registry's acyclic parent links).
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    for (const t of outs.get(id)!) {
      layer.set(t, Math.max(layer.get(t) ?? 0, layer.get(id)! + 1));
      pending.set(t, pending.get(t)! - 1);
      if (pending.get(t) === 0) queue.push(t);
    }
  }
  for (const n of g.nodes) if (!layer.has(n.id)) layer.set(n.id, 0);
  // Data nodes sit one layer before their first version, not at the far left.
  for (const n of g.nodes) {
    if (n.kind !== 'data') continue;
    const targets = outs.get(n.id)!.map((t) => layer.get(t)!);
    if (targets.length) layer.set(n.id, Math.max(0, Math.min(...targets) - 1));
  }
  const layers: string[][] = [];
  for (const n of g.nodes) (layers[layer.get(n.id)!] ??= []).push(n.id);
  const pos = new Map<string, number>();
  const index = () => layers.forEach((ids) => ids?.forEach((id, i) => pos.set(id, i)));
  index();
  const mean = (ids: string[]) => (ids.length ? ids.reduce((s, id) => s + pos.get(id)!, 0) / ids.length : Infinity);
  for (let sweep = 0; sweep < 2; sweep++) {
    for (const ids of layers) {
      if (!ids) continue;
      const key = new Map(ids.map((id) => [id, mean(sweep === 0 ? ins.get(id)! : outs.get(id)!)]));
      ids.sort((a, b) => (key.get(a) === key.get(b) ? 0 : key.get(a)! < key.get(b)! ? -1 : 1));
      ids.forEach((id, i) => pos.set(id, i));
    }
  }
  const tallest = Math.max(1, ...layers.map((l) => l?.length ?? 0));
  const out = new Map<string, Placed>();
  layers.forEach((ids, li) =>
    ids?.forEach((id, i) => {
      // Centre short layers against the tallest one.
      const offset = ((tallest - ids.length) * ROW) / 2;
      out.set(id, { id, layer: li, x: PAD + li * COL, y: PAD + offset + i * ROW });
    }),
  );
  return out;
}

export function lineageSvg(g: LineageGraph, links: Links): Html {
  const placed = layout(g);
  const all = [...placed.values()];
  const width = Math.max(...all.map((p) => p.x)) + NODE_W + PAD;
  const height = Math.max(...all.map((p) => p.y)) + NODE_H + PAD;
  const edges = g.edges
    .filter((e) => placed.has(e.from) && placed.has(e.to))
    .map((e) => {
      const a = placed.get(e.from)!;
      const b = placed.get(e.to)!;
      const x1 = a.x + NODE_W;
      const y1 = a.y + NODE_H / 2;
      const x2 = b.x;
      const y2 = b.y + NODE_H / 2;
      const mx = (x1 + x2) / 2;
      return h`<path class="edge ${e.kind}" d="M${x1},${y1}C${mx},${y1} ${mx},${y2} ${x2},${y2}"/>`;
    });
  const nodes = g.nodes.map((n) => {
    const p = placed.get(n.id)!;
    const cls = `node ${n.kind}${n.focus ? ' focus' : ''}${n.status === 'production' ? ' production' : ''}`;
    const sub =
      n.kind === 'data' ? 'dataset' : `${n.status ?? ''}${n.aliases.length ? ` · ${n.aliases.join(', ')}` : ''}`;
    const body = h`<rect x="${p.x}" y="${p.y}" width="${NODE_W}" height="${NODE_H}" rx="5"/><text class="label" x="${p.x + 8}" y="${p.y + 16}">${n.label}</text><text x="${p.x + 8}" y="${p.y + 30}">${sub.slice(0, 28)}</text><title>${n.id}${sub ? ` (${sub})` : ''}</title>`;
    const href = n.kind === 'version' && !n.focus ? links.version(n.id) : null;
    return h`<g class="${cls}" data-id="${n.id}">${href ? h`<a href="${href}">${body}</a>` : body}</g>`;
  });
  return h`<svg class="lineage" viewBox="0 0 ${width} ${height}" width="${Math.min(width, 1100)}" role="img" aria-label="lineage graph" data-nodes="${g.nodes.length}" data-edges="${g.edges.length}">${edges}${nodes}</svg>${
    g.truncated
      ? h`<p class="muted">The graph is cut at a few levels each way; open a version at its edge to see further.</p>`
      : ''
  }`;
}
