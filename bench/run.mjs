#!/usr/bin/env node
// `npm run bench [-- startup|gate|audit|rollout|report|shared|s3|s3-many|postgres|hash-cache|parquet|gate-scale|live|metrics]`: runs the benchmarks, prints a table, saves JSON under bench/results/.
import { printTable, saveResults } from './lib.mjs';

// The benchmarks' own S3 clients (baselines) would print the SDK's Node-version notice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const only = process.argv.slice(2);
const suites = [
  ['startup', () => import('./startup.mjs')],
  ['gate', () => import('./gate.mjs')],
  ['audit', () => import('./audit.mjs')],
  ['rollout', () => import('./rollout.mjs')],
  ['report', () => import('./report.mjs')],
  ['shared', () => import('./shared-registry.mjs')],
  ['s3', () => import('./s3-transfer.mjs')],
  ['s3-many', () => import('./s3-many.mjs')],
  ['postgres', () => import('./postgres.mjs')],
  ['hash-cache', () => import('./hash-cache.mjs')],
  ['parquet', () => import('./parquet.mjs')],
  ['gate-scale', () => import('./gate-scale.mjs')],
  ['live', () => import('./live-judgment.mjs')],
  ['metrics', () => import('./metrics-parse.mjs')],
];
const all = [];
for (const [name, load] of suites) {
  if (only.length && !only.includes(name)) continue;
  console.error(`running ${name}…`);
  const rows = await (await load()).run();
  all.push(...rows);
}
printTable(all);
console.log(`\nsaved ${saveResults('bench', all)}`);
