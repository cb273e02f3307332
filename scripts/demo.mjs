#!/usr/bin/env node
// `npm run demo`: the registry's main job on the embedded defaults, in a scratch folder.
// Generates a small model, registers two versions, then list → show → diff → pull → verify, gates v2,
// and rolls it out through every stage of an Istio config in the scratch folder's git repository,
// and ends with an HTML report of the model.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/mlctl.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'mlctl-demo-'));
const keep = process.argv.includes('--keep');
const env = { ...process.env, MLCTL_ACTOR: process.env.MLCTL_ACTOR ?? 'demo@example.com' };
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

function step(title, args) {
  process.stdout.write(`\n${bold(`$ mlctl ${args.join(' ')}`)}   # ${title}\n`);
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, env, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`demo step failed (exit ${r.status}); workspace kept at ${work}\n`);
    process.exit(r.status ?? 1);
  }
}

function sh(title, cmd, args) {
  process.stdout.write(`\n${bold(`$ ${cmd} ${args.join(' ')}`)}   # ${title}\n`);
  const r = spawnSync(cmd, args, { cwd: work, env, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`demo step failed (exit ${r.status}); workspace kept at ${work}\n`);
    process.exit(r.status ?? 1);
  }
}

// A tiny "trained model": logistic-regression weights, a tokenizer file and a binary blob.
function writeModel(dir, seed) {
  mkdirSync(join(dir, 'tokenizer'), { recursive: true });
  const weights = Array.from({ length: 8 }, (_, i) => Math.round(Math.sin(seed * 7 + i) * 1e4) / 1e4);
  writeFileSync(
    join(dir, 'model.json'),
    JSON.stringify({ kind: 'logistic_regression', weights, bias: seed / 10 }, null, 2),
  );
  writeFileSync(join(dir, 'tokenizer/vocab.txt'), 'amount\ncountry\nmerchant\n');
  writeFileSync(join(dir, 'weights.bin'), Buffer.from(Float64Array.from(weights).buffer));
}

process.stdout.write(`mlctl demo — workspace: ${work}\n`);
mkdirSync(join(work, 'data'), { recursive: true });
writeFileSync(join(work, 'data/train.csv'), 'amount,country,label\n12.5,US,0\n990.0,DE,1\n45.1,US,0\n');
const holdout = { name: 'holdout-2026-11', sha256: 'a1'.repeat(32) };
writeFileSync(
  join(work, 'schema.json'),
  JSON.stringify(
    {
      inputs: [
        { name: 'amount', type: 'double', required: true },
        { name: 'country', type: 'string', values: ['US', 'DE'] },
      ],
      outputs: [{ name: 'score', type: 'double' }],
    },
    null,
    2,
  ),
);
writeFileSync(join(work, 'train.yaml'), 'learning_rate: 0.1\nepochs: 20\n');
writeModel(join(work, 'v1'), 1);
writeFileSync(
  join(work, 'metrics-v1.json'),
  JSON.stringify(
    { dataset: holdout, metrics: { auc: 0.912, accuracy: 0.874 }, slices: { 'country=US': { auc: 0.905 } } },
    null,
    2,
  ),
);

// The scratch folder is also the team's GitOps repository: each rollout stage is a commit in it.
for (const args of [
  ['init', '-q', '-b', 'main'],
  ['config', 'user.email', 'demo@example.com'],
  ['config', 'user.name', 'mlctl demo'],
])
  spawnSync('git', args, { cwd: work });
step('set up the project: mlctl.yaml, gate policy, an Istio serving file for fraud, ADR 0001, GitHub workflows', [
  'init',
  '--yes',
  '--model',
  'fraud',
  '--adapter',
  'istio',
  '--serving-file',
  'deploy/fraud.yaml',
  '--github',
]);
writeFileSync(join(work, '.gitignore'), '.mlctl/\nv1/\nv2/\npulled/\ndata/\n*.csv\n*.json\ntrain.yaml\n');
spawnSync('git', ['add', '-A'], { cwd: work });
spawnSync('git', ['commit', '-qm', 'GitOps repo: mlctl.yaml, serving config'], { cwd: work });
step('check the set-up', ['doctor']);
step('register the first version', [
  'register',
  'fraud',
  'v1',
  '--metrics',
  'metrics-v1.json',
  '--schema',
  'schema.json',
  '--data',
  'data',
  '--config',
  'train.yaml',
  '--tag',
  'team=risk',
]);
step('registering the same content again is a no-op (CI retries are safe)', [
  'register',
  'fraud',
  'v1',
  '--metrics',
  'metrics-v1.json',
]);

writeModel(join(work, 'v2'), 2);
writeFileSync(join(work, 'train.yaml'), 'learning_rate: 0.05\nepochs: 30\n');
writeFileSync(
  join(work, 'metrics-v2.json'),
  JSON.stringify(
    { dataset: holdout, metrics: { auc: 0.921, accuracy: 0.879 }, slices: { 'country=US': { auc: 0.917 } } },
    null,
    2,
  ),
);
step('register a retrained version derived from the first', [
  'register',
  'fraud',
  'v2',
  '--metrics',
  'metrics-v2.json',
  '--schema',
  'schema.json',
  '--data',
  'data',
  '--config',
  'train.yaml',
  '--parent',
  'fraud@1',
]);

// Predictions of both versions on the same 2,000-row holdout, to gate v2 against v1.
{
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const sig = (x) => 1 / (1 + Math.exp(-x));
  let v1 = 'id,label,score,country\n';
  let v2 = v1;
  for (let i = 0; i < 2000; i++) {
    const y = rnd() < 0.3 ? 1 : 0;
    const z = gauss() + (y ? 1.2 : 0);
    const c = rnd() < 0.7 ? 'US' : 'DE';
    v1 += `t${i},${y},${sig(z + 0.3 * gauss()).toFixed(5)},${c}\n`;
    v2 += `t${i},${y},${sig(z + (y ? 0.15 : -0.15) + 0.3 * gauss()).toFixed(5)},${c}\n`;
  }
  writeFileSync(join(work, 'pred-v1.csv'), v1);
  writeFileSync(join(work, 'pred-v2.csv'), v2);
  writeFileSync(
    join(work, 'gates.yaml'),
    `metrics:\n  auc: { required: true }\ngates:\n  - { id: auc-floor, metric: auc, min: 0.75 }\n  - id: auc-noninferior\n    metric: auc\n    max_regression: { absolute: 0.005 }\n    significance: { test: delong, alpha: 0.05, margin: 0.005 }\n    slices: [us]\n  - id: accuracy-not-worse\n    metric: accuracy\n    significance: { test: mcnemar, variant: midp }\nslices:\n  - { name: us, where: { country: US }, min_rows: 200 }\n`,
  );
}
step('gate v2 against v1 on paired predictions (DeLong, McNemar, slices)', [
  'gate',
  'fraud@2',
  '--against',
  'fraud@1',
  '--predictions',
  'pred-v2.csv',
  '--baseline-predictions',
  'pred-v1.csv',
]);

step('list models', ['list']);
step("list fraud's versions", ['list', 'fraud']);
step('show the latest version', ['show', 'fraud@latest']);
step('compare the two versions', ['diff', 'fraud@1', 'fraud@2']);
step('name a version with an alias', ['alias', 'set', 'fraud@2', 'staging']);
step('download and verify every file', ['pull', 'fraud@staging', '--to', 'pulled']);
step('re-hash the stored blobs', ['verify', '--all']);
step('the first version becomes champion directly: its serving config is written at 100% and committed with its ADR', [
  'promote',
  'fraud@1',
  '--yes',
  '--reason',
  'first production model',
]);
step('gate v2 against the champion', [
  'gate',
  'fraud@2',
  '--predictions',
  'pred-v2.csv',
  '--baseline-predictions',
  'pred-v1.csv',
  '--output',
  'markdown',
]);
step('dry run: the plan and the diff of the first stage', ['rollout', 'plan', 'fraud@2']);
step('promote v2: allowed because a passing gate run matches champion, policy and data; starts the rollout at shadow', [
  'promote',
  'fraud@2',
  '--reason',
  'higher AUC on the holdout',
]);
step('the rollout waits in shadow for its 1h bake time before canary', ['rollout', 'status', 'fraud']);
const skip = ['--force', '--reason', 'demo: skip the bake time'];
step('canary 5% (forced past the bake time, recorded as an override)', ['promote', 'fraud@2', ...skip]);
step('ramp 25%', ['promote', 'fraud@2', ...skip]);
step('ramp 50%', ['promote', 'fraud@2', ...skip]);
step('full: fraud@2 becomes champion, fraud@1 is archived (--yes: no terminal prompt in a demo)', [
  'promote',
  'fraud@2',
  ...skip,
  '--yes',
]);
step('the rollout, as the registry recorded it', ['rollout', 'status', 'fraud']);
step('roll back: a new commit, and an ADR superseding the promotion ADR', [
  'rollback',
  'fraud',
  '--yes',
  '--reason',
  'p99 latency regression in production',
]);
sh('every step is a commit of the serving file and its ADR', 'git', [
  'log',
  '--format=%h %s%n        %(trailers:key=Mlctl-Stage,separator=%x2C )',
  '-n',
  '8',
]);
step('who was champion when, and why', ['audit', 'champion', 'fraud']);
step('the decisions, as ADRs', ['adr', 'list']);
step('lineage of v2: parent, data, gate runs, champion changes, ADRs', ['lineage', 'fraud@2']);
step('the audit log is a hash chain: verify it', ['audit', 'verify']);

// The report outlives the scratch folder unless it is kept.
const report = keep ? join(work, 'fraud-report.html') : join(tmpdir(), 'mlctl-demo-fraud-report.html');
step('the whole story as one self-contained HTML page: versions, metric charts, champions, rollouts, gate runs', [
  'report',
  'fraud',
  '--html',
  report,
]);
process.stdout.write(
  `\n${bold('Done.')} Open the report in a browser: ${pathToFileURL(report).href}\n${keep ? `Workspace kept at ${work}; \`mlctl ui\` there serves the same pages live.` : 'Run with `npm run demo -- --keep` to keep the workspace (and try `mlctl ui` in it).'}\n`,
);
if (!keep) rmSync(work, { recursive: true, force: true });
