// Parsing a metrics file of 32k and 200k keys (issue 11.14: it was quadratic, 19 s and > 11 min).
// In-process, median of 5, with the built library; baseline: JSON.parse of the same text, the least
// any JSON reader must do. Targets: ≤ 3× the baseline, and well under a second.
import { parseMetrics } from '../dist/lib.js';

const RUNS = 5;

function text(n) {
  const metrics = {};
  for (let i = 0; i < n; i++) metrics[`metric_${i}`] = (i % 1000) / 1000;
  return JSON.stringify({ dataset: { name: 'holdout' }, metrics }, null, 2);
}

function median(fn) {
  const xs = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(RUNS / 2)];
}

export async function run() {
  const rows = [];
  for (const n of [32_000, 200_000]) {
    const t = text(n);
    const base = median(() => JSON.parse(t));
    const ours = median(() => {
      if (parseMetrics(t, 'metrics.json').rows.length !== n) throw new Error('wrong number of rows');
    });
    const k = `${n / 1000}k`;
    rows.push({ name: `metrics file, ${k} keys: JSON.parse (baseline)`, value: `${base.toFixed(0)} ms` });
    rows.push({
      name: `metrics file, ${k} keys: parseMetrics`,
      value: `${ours.toFixed(0)} ms`,
      baseline: 'JSON.parse',
      ratio: ours / base,
      target: '≤ 3.0×, < 1000 ms',
      ok: ours <= 3 * base && ours < 1000,
    });
  }
  return rows;
}
