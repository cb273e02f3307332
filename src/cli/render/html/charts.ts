/**
 * SVG charts drawn when the page is written (d3-scale for the scales and ticks, d3-shape for the
 * paths): a page shows its charts without JavaScript. Points of a series are one path of dots
 * (`M x,y h0` with round caps) so a 1,000-version chart stays a few elements.
 */
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import { h, raw, type Html } from './escape.js';
import { num } from './format.js';

export interface XY {
  x: number;
  y: number;
}

export interface Series {
  name: string;
  points: XY[];
}

const W = 640;
const H = 260;
const M = { t: 14, r: 16, b: 38, l: 56 };

const r1 = (v: number) => Math.round(v * 10) / 10;

function dots(xs: ScaleLinear<number, number>, ys: ScaleLinear<number, number>, pts: XY[]): string {
  let d = '';
  for (const p of pts) d += `M${r1(xs(p.x))},${r1(ys(p.y))}h0`;
  return d;
}

function pathOf(xs: ScaleLinear<number, number>, ys: ScaleLinear<number, number>, pts: XY[]): string {
  return (
    line<XY>()
      .x((p) => r1(xs(p.x)))
      .y((p) => r1(ys(p.y)))(pts) ?? ''
  );
}

function axes(
  xs: ScaleLinear<number, number>,
  ys: ScaleLinear<number, number>,
  o: { xLabel: string; yLabel: string; xTicks?: Array<{ v: number; label: string }>; integerX?: boolean },
): Html {
  const xt =
    o.xTicks ??
    xs
      .ticks(8)
      .filter((v) => !o.integerX || Number.isInteger(v))
      .map((v) => ({ v, label: o.integerX ? String(v) : xs.tickFormat(8)(v) }));
  const yt = ys.ticks(5);
  const yf = ys.tickFormat(5);
  const y0 = H - M.b;
  return h`<g class="grid">${yt.map((v) => raw(`<line x1="${M.l}" x2="${W - M.r}" y1="${r1(ys(v))}" y2="${r1(ys(v))}"/>`))}</g>
<g class="axis"><line x1="${M.l}" x2="${W - M.r}" y1="${y0}" y2="${y0}"/><line x1="${M.l}" x2="${M.l}" y1="${M.t}" y2="${y0}"/>
${xt.map((t) => h`<text x="${r1(xs(t.v))}" y="${y0 + 14}" text-anchor="middle">${t.label}</text>`)}
${yt.map((v) => h`<text x="${M.l - 6}" y="${r1(ys(v)) + 4}" text-anchor="end">${yf(v)}</text>`)}
<text class="label" x="${(M.l + W - M.r) / 2}" y="${H - 4}" text-anchor="middle">${o.xLabel}</text>
<text class="label" transform="translate(12 ${(M.t + y0) / 2}) rotate(-90)" text-anchor="middle">${o.yLabel}</text></g>`;
}

function extent(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (lo === hi) return [lo - (Math.abs(lo) || 1) * 0.05, hi + (Math.abs(hi) || 1) * 0.05];
  return [lo, hi];
}

export interface MetricChartInput {
  metric: string;
  points: Array<{ version: number; value: number }>;
  /** Shaded ranges of versions registered under one champion. */
  bands: Array<{ from: number; to: number; label: string }>;
  /** Versions that were champion at some time: ringed. */
  champions: number[];
  /** The version of the page (a version report), ringed in the candidate colour. */
  focus?: number;
}

/** A metric across versions, champion periods as bands, champions ringed. */
export function metricChart(o: MetricChartInput): Html {
  const xsDomain = extent(o.points.map((p) => p.version));
  const xs = scaleLinear()
    .domain([
      Math.min(xsDomain[0], ...o.bands.map((b) => b.from)) - 0.5,
      Math.max(xsDomain[1], ...o.bands.map((b) => b.to)) + 0.5,
    ])
    .range([M.l, W - M.r]);
  const ys = scaleLinear()
    .domain(extent(o.points.map((p) => p.value)))
    .nice()
    .range([H - M.b, M.t]);
  const pts = o.points.map((p) => ({ x: p.version, y: p.value }));
  const champSet = new Set(o.champions);
  const champPts = pts.filter((p) => champSet.has(p.x));
  const bands = o.bands.map((b, i) => {
    const x0 = r1(xs(b.from - 0.5));
    const x1 = r1(xs(b.to + 0.5));
    return h`<rect class="band${i % 2 ? ' alt' : ''}" x="${x0}" y="${M.t}" width="${r1(x1 - x0)}" height="${H - M.b - M.t}"><title>${b.label}</title></rect>${
      x1 - x0 > 60 ? h`<text x="${x0 + 3}" y="${M.t + 10}">${b.label}</text>` : ''
    }`;
  });
  const [d0, d1] = xs.domain() as [number, number];
  const focus = o.focus !== undefined ? pts.filter((p) => p.x === o.focus) : [];
  return h`<svg class="chart metric" viewBox="0 0 ${W} ${H}" role="img" aria-label="${o.metric} by version" data-x0="${d0}" data-x1="${d1}" data-p0="${r1(xs(d0))}" data-p1="${r1(xs(d1))}" data-xname="version">
<g class="bands" data-bands="${o.bands.length}">${bands}</g>
${axes(xs, ys, { xLabel: 'version', yLabel: o.metric, integerX: true })}
<g class="series s0${pts.length > 150 ? ' dense' : ''}" data-series="${o.metric}" data-points="${pts.length}" data-xs="${pts.map((p) => p.x).join(',')}" data-ys="${pts.map((p) => num(p.y)).join(',')}">
<path class="line" d="${pathOf(xs, ys, pts)}"/><path class="dots" d="${dots(xs, ys, pts)}"/></g>
<g class="champions" data-points="${champPts.length}">${champPts.map((p) => raw(`<circle class="champ" cx="${r1(xs(p.x))}" cy="${r1(ys(p.y))}" r="5.5"/>`))}</g>
${focus.map((p) => raw(`<circle class="focusmark" cx="${r1(xs(p.x))}" cy="${r1(ys(p.y))}" r="8"/>`))}
</svg>`;
}

export interface CurveChartInput {
  label: string;
  xLabel: string;
  yLabel: string;
  series: Array<{ name: string; points: Array<[number, number]> }>;
  /** ROC: the chance diagonal. */
  diagonal: boolean;
}

/** ROC or precision–recall curves of the candidate and the baseline on [0, 1] × [0, 1]. */
export function curveChart(o: CurveChartInput): Html {
  const xs = scaleLinear()
    .domain([0, 1])
    .range([M.l, W - M.r]);
  const ys = scaleLinear()
    .domain([0, 1])
    .range([H - M.b, M.t]);
  const diag = o.diagonal ? raw(`<line class="diag" x1="${xs(0)}" y1="${ys(0)}" x2="${xs(1)}" y2="${ys(1)}"/>`) : '';
  const series = o.series.map((s, i) => {
    const pts = s.points.map(([x, y]) => ({ x, y }));
    return h`<g class="series s${i}" data-series="${s.name}" data-points="${pts.length}"><path class="line" d="${pathOf(xs, ys, pts)}"/></g>`;
  });
  return h`<svg class="chart curve" viewBox="0 0 ${W} ${H}" role="img" aria-label="${o.label}">
${axes(xs, ys, { xLabel: o.xLabel, yLabel: o.yLabel })}${diag}${series}</svg>`;
}

export interface IntervalLook {
  at: string;
  estimate: number;
  lower: number;
  upper: number;
  margin: number;
  verdict: string;
}

const STEPS = [
  60e3,
  5 * 60e3,
  15 * 60e3,
  3600e3,
  3 * 3600e3,
  6 * 3600e3,
  12 * 3600e3,
  86400e3,
  2 * 86400e3,
  7 * 86400e3,
  30 * 86400e3,
];

/** Round UTC steps (minutes to months) so a time axis says 10:00, 11:00 rather than raw milliseconds. */
export function timeTicks(t0: number, t1: number, max = 6): Array<{ v: number; label: string }> {
  const span = Math.max(t1 - t0, 1);
  const step = STEPS.find((s) => span / s <= max) ?? Math.ceil(span / max / 86400e3) * 86400e3;
  const out: Array<{ v: number; label: string }> = [];
  for (let v = Math.ceil(t0 / step) * step; v <= t1 && out.length < 50; v += step) {
    const iso = new Date(v).toISOString();
    out.push({
      v,
      label:
        step >= 86400e3
          ? iso.slice(5, 10)
          : span > 86400e3
            ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}`
            : iso.slice(11, 16),
    });
  }
  return out;
}

/**
 * A live compare check over time: each look's interval for d (how much worse the candidate is;
 * positive = worse), its estimate, the margin (fail above it) and zero.
 */
export function intervalChart(o: { name: string; looks: IntervalLook[] }): Html {
  const ts = o.looks.map((l) => Date.parse(l.at));
  const [t0, t1] = extent(ts);
  const pad = Math.max((t1 - t0) * 0.04, 30e3);
  const xs = scaleLinear()
    .domain([t0 - pad, t1 + pad])
    .range([M.l, W - M.r]);
  const finite = (v: number) => Number.isFinite(v);
  const yvals = o.looks.flatMap((l) => [l.lower, l.upper, l.estimate, l.margin, 0]).filter(finite);
  const ys = scaleLinear()
    .domain(extent(yvals))
    .nice()
    .range([H - M.b, M.t]);
  const clampY = (v: number) => r1(ys(finite(v) ? v : v > 0 ? ys.domain()[1]! : ys.domain()[0]!));
  const margins = [...new Set(o.looks.map((l) => l.margin))];
  const [x0, x1] = xs.range() as [number, number];
  return h`<svg class="chart interval" viewBox="0 0 ${W} ${H}" role="img" aria-label="${o.name}: interval over time">
${axes(xs, ys, { xLabel: 'time (UTC)', yLabel: 'd (candidate worse →)', xTicks: timeTicks(t0 - pad, t1 + pad) })}
<line class="zero" x1="${x0}" x2="${x1}" y1="${r1(ys(0))}" y2="${r1(ys(0))}"/>
${margins.map((m) => h`<line class="margin" x1="${x0}" x2="${x1}" y1="${r1(ys(m))}" y2="${r1(ys(m))}"/><text x="${x1 - 4}" y="${r1(ys(m)) - 4}" text-anchor="end">margin ${num(m)}</text>`)}
<g class="looks" data-points="${o.looks.length}">${o.looks.map((l, i) => {
    const x = r1(xs(ts[i]!));
    const v = l.verdict.replace(/[^a-z]/g, '');
    return h`<g class="look"><title>${l.at}: d = ${num(l.estimate)} [${num(l.lower)}, ${num(l.upper)}], ${l.verdict}</title><line class="iv ${v}" x1="${x}" x2="${x}" y1="${clampY(l.lower)}" y2="${clampY(l.upper)}"/><circle class="est ${v}" cx="${x}" cy="${clampY(l.estimate)}" r="3.5"/></g>`;
  })}</g></svg>`;
}

export interface TimelineBar {
  label: string;
  start: string;
  end: string | null;
  cls: string;
  note: string;
}

/** Stages on a time line: one bar per stage entered, from entry to the next stage (or now / the end). */
export function timelineChart(bars: TimelineBar[], now: string): Html {
  const rowH = 26;
  const height = M.t + bars.length * rowH + 34;
  const ts = bars.flatMap((b) => [Date.parse(b.start), Date.parse(b.end ?? now)]);
  const [t0, t1] = extent(ts);
  const labelW = 150;
  const xs = scaleLinear()
    .domain([t0, t1])
    .range([labelW, W - M.r]);
  const ticks = timeTicks(t0, t1);
  const y0 = M.t + bars.length * rowH;
  return h`<svg class="chart timeline" viewBox="0 0 ${W} ${height}" role="img" aria-label="stages over time">
<g class="axis"><line x1="${labelW}" x2="${W - M.r}" y1="${y0}" y2="${y0}"/>${ticks.map((t) => h`<text x="${r1(xs(t.v))}" y="${y0 + 14}" text-anchor="middle">${t.label}</text>`)}</g>
<g class="stages" data-points="${bars.length}">${bars.map((b, i) => {
    const a = r1(xs(Date.parse(b.start)));
    const e = r1(xs(Date.parse(b.end ?? now)));
    const y = M.t + i * rowH;
    return h`<g><text class="label" x="4" y="${y + 16}">${b.label}</text><rect class="stage ${b.cls}" x="${a}" y="${y + 3}" width="${Math.max(r1(e - a), 3)}" height="${rowH - 8}"><title>${b.label}: ${b.note}</title></rect></g>`;
  })}</g></svg>`;
}
