// Gate on 1,000,000-row prediction files for both models: all classification metrics + DeLong +
// McNemar + a 1,000-resample paired bootstrap of accuracy, through the built CLI.
// Targets: ≤ 3 s wall, DeLong alone ≤ 1 s, peak RSS ≤ 500 MB.
import { existsSync, mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, timed } from './lib.mjs';

const ROWS = Number(process.env.BENCH_GATE_ROWS ?? 1_000_000);
const DATA = join(ROOT, 'bench/data/gate');

async function writeFiles() {
  mkdirSync(DATA, { recursive: true });
  const cand = join(DATA, `cand-${ROWS}.csv`);
  const base = join(DATA, `base-${ROWS}.csv`);
  if (existsSync(cand) && existsSync(base)) return { cand, base };
  let s = 1;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const sig = (x) => 1 / (1 + Math.exp(-x));
  const a = createWriteStream(cand);
  const b = createWriteStream(base);
  a.write('id,label,score,country\n');
  b.write('id,label,score,country\n');
  const countries = ['US', 'DE', 'FR', 'GB'];
  let ca = '';
  let cb = '';
  for (let i = 0; i < ROWS; i++) {
    const y = rnd() < 0.3 ? 1 : 0;
    const z = gauss() + (y ? 1.2 : 0);
    const c = countries[i & 3];
    ca += `r${i},${y},${sig(z + (y ? 0.05 : -0.05) + 0.3 * gauss()).toFixed(6)},${c}\n`;
    cb += `r${i},${y},${sig(z + 0.3 * gauss()).toFixed(6)},${c}\n`;
    if (ca.length > 1 << 20) {
      a.write(ca);
      b.write(cb);
      ca = cb = '';
    }
  }
  a.end(ca);
  b.end(cb);
  await Promise.all([new Promise((r) => a.on('finish', r)), new Promise((r) => b.on('finish', r))]);
  return { cand, base };
}

export async function run() {
  const { cand, base } = await writeFiles();
  const project = join(DATA, 'project');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'mlctl.yaml'), 'registry: .mlctl/registry.db\nartifacts: .mlctl/artifacts\n');
  const env = { MLCTL_ACTOR: 'bench' };
  mkdirSync(join(project, 'm'), { recursive: true });
  writeFileSync(join(project, 'm/a'), 'a');
  writeFileSync(join(project, 'm/b'), 'b');
  await timed(process.execPath, [BIN, 'register', 'g', 'm/a', '--allow-duplicate'], { cwd: project, env });
  await timed(process.execPath, [BIN, 'register', 'g', 'm/b', '--allow-duplicate'], { cwd: project, env });
  const full = `metrics:\n  auc: { required: true }\ngates:\n  - { id: floor, metric: auc, min: 0.5 }\n  - { id: acc-floor, metric: accuracy, min: 0.5 }\n  - { id: f1, metric: f1, min: 0 }\n  - { id: ll, metric: log_loss, max: 5 }\n  - { id: brier, metric: brier, max: 1 }\n  - { id: auc-ni, metric: auc, max_regression: { absolute: 0.01 }, significance: { test: delong, margin: 0.005 } }\n  - { id: acc-mcnemar, metric: accuracy, significance: { test: mcnemar, variant: exact } }\n  - { id: acc-boot, metric: accuracy, significance: { test: paired_bootstrap, resamples: 1000, seed: 1, margin: 0.005 } }\n`;
  const delongOnly = 'gates:\n  - { id: auc-ni, metric: auc, significance: { test: delong, margin: 0.005 } }\n';
  writeFileSync(join(project, 'full.yaml'), full);
  writeFileSync(join(project, 'delong.yaml'), delongOnly);
  const args = (policy) => [
    BIN,
    'gate',
    'g@2',
    '--against',
    'g@1',
    '--policy',
    policy,
    '--predictions',
    cand,
    '--baseline-predictions',
    base,
    '--json',
  ];
  const all = await timed(process.execPath, args('full.yaml'), { cwd: project, env, node: true });
  const report = JSON.parse(all.stdout).data;
  const verdict = report.verdict;
  const ms = (test) => report.checks.find((c) => c.test === test)?.elapsed_ms;
  const dl = await timed(process.execPath, args('delong.yaml'), { cwd: project, env, node: true });
  const rows = `${ROWS / 1e6}M`;
  return [
    {
      name: `gate ${rows}-row predictions ×2: all metrics + DeLong + McNemar + bootstrap(1000) [${verdict}]`,
      value: `${(all.ms / 1000).toFixed(2)} s`,
      target: '≤ 3 s',
      ok: all.ms <= 3000,
    },
    {
      name: `DeLong on ${rows} paired rows (the test itself)`,
      value: `${ms('delong')} ms`,
      target: '≤ 1 s',
      ok: ms('delong') <= 1000,
    },
    { name: `McNemar exact on ${rows} rows`, value: `${ms('mcnemar')} ms` },
    { name: `paired bootstrap of accuracy, 1000 resamples, ${rows} rows`, value: `${ms('paired_bootstrap')} ms` },
    { name: `gate ${rows} rows, DeLong-only policy, whole process (info)`, value: `${(dl.ms / 1000).toFixed(2)} s` },
    { name: 'gate peak RSS', value: `${all.rssMb?.toFixed(0)} MB`, target: '≤ 500 MB', ok: all.rssMb <= 500 },
  ];
}
