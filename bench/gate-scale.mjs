// Gate cost as the evaluation set grows: the whole `mlctl gate` process on 1M and 10M paired rows
// (CSV predictions for both models; all classification metrics, DeLong, McNemar, a 1000-resample
// paired bootstrap and two slices). Targets: time grows no worse than n log n from 1M to 10M
// (≤ 10 · log(10^7)/log(10^6) ≈ 11.7×) and peak RSS < 2 GB at 10M rows. Growth is judged on CPU
// time (user + system, GC threads included): wall time also counts whatever else the machine runs.
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, ROOT, timed } from './lib.mjs';

const DATA = join(ROOT, 'bench/data/gate-scale');
const CPU_PRELOAD = fileURLToPath(new URL('./cpu-preload.cjs', import.meta.url));
const SIZES = (process.env.BENCH_GATE_SCALE ?? '1000000,10000000').split(',').map(Number);

async function writeFiles(rows) {
  const cand = join(DATA, `cand-${rows}.csv`);
  const base = join(DATA, `base-${rows}.csv`);
  if (existsSync(cand) && existsSync(base)) return { cand, base };
  let s = 1;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const sig = (x) => 1 / (1 + Math.exp(-x));
  const a = createWriteStream(`${cand}.tmp`);
  const b = createWriteStream(`${base}.tmp`);
  a.write('id,label,score,country\n');
  b.write('id,label,score,country\n');
  const countries = ['US', 'DE', 'FR', 'GB'];
  let ca = '';
  let cb = '';
  for (let i = 0; i < rows; i++) {
    const y = rnd() < 0.3 ? 1 : 0;
    const z = gauss() + (y ? 1.2 : 0);
    const c = countries[i & 3];
    ca += `r${i},${y},${sig(z + (y ? 0.05 : -0.05) + 0.3 * gauss()).toFixed(6)},${c}\n`;
    cb += `r${i},${y},${sig(z + 0.3 * gauss()).toFixed(6)},${c}\n`;
    if (ca.length > 1 << 20) {
      if (!a.write(ca)) await new Promise((r) => a.once('drain', r));
      if (!b.write(cb)) await new Promise((r) => b.once('drain', r));
      ca = cb = '';
    }
  }
  a.end(ca);
  b.end(cb);
  await Promise.all([new Promise((r) => a.on('finish', r)), new Promise((r) => b.on('finish', r))]);
  const { renameSync } = await import('node:fs');
  renameSync(`${cand}.tmp`, cand);
  renameSync(`${base}.tmp`, base);
  return { cand, base };
}

const POLICY = `metrics:
  auc: { required: true }
gates:
  - { id: floor, metric: auc, min: 0.5, slices: all }
  - { id: acc-floor, metric: accuracy, min: 0.5 }
  - { id: f1, metric: f1, min: 0 }
  - { id: ll, metric: log_loss, max: 5 }
  - { id: brier, metric: brier, max: 1 }
  - { id: auc-ni, metric: auc, max_regression: { absolute: 0.01 }, significance: { test: delong, margin: 0.005 } }
  - { id: acc-mcnemar, metric: accuracy, significance: { test: mcnemar, variant: exact } }
  - { id: acc-boot, metric: accuracy, significance: { test: paired_bootstrap, resamples: 1000, seed: 1, margin: 0.005 } }
slices:
  - { name: us, where: { country: US } }
  - { name: de, where: { country: DE } }
`;

export async function run() {
  mkdirSync(DATA, { recursive: true });
  const project = join(DATA, 'project');
  mkdirSync(join(project, 'm'), { recursive: true });
  writeFileSync(join(project, 'mlctl.yaml'), 'registry: .mlctl/registry.db\nartifacts: .mlctl/artifacts\n');
  writeFileSync(join(project, 'policy.yaml'), POLICY);
  const env = { MLCTL_ACTOR: 'bench' };
  if (!existsSync(join(project, '.mlctl/registry.db'))) {
    writeFileSync(join(project, 'm/a'), 'a');
    writeFileSync(join(project, 'm/b'), 'b');
    await timed(process.execPath, [BIN, 'register', 'g', 'm/a'], { cwd: project, env });
    await timed(process.execPath, [BIN, 'register', 'g', 'm/b'], { cwd: project, env });
  }
  const results = [];
  for (const rows of SIZES) {
    const { cand, base } = await writeFiles(rows);
    const args = [BIN, 'gate', 'g@2', '--against', 'g@1', '--policy', 'policy.yaml'];
    const tmp = mkdtempSync(join(tmpdir(), 'bench-cpu-'));
    const cpuFile = join(tmp, 'cpu');
    const r = await timed(
      process.execPath,
      [...args, '--predictions', cand, '--baseline-predictions', base, '--json'],
      {
        cwd: project,
        env: { ...env, NODE_OPTIONS: `--require ${CPU_PRELOAD}`, BENCH_CPU_FILE: cpuFile },
        node: true,
        timeoutMs: 1_200_000,
      },
    );
    const cpuMs = Number(readFileSync(cpuFile, 'utf8'));
    rmSync(tmp, { recursive: true, force: true });
    const report = JSON.parse(r.stdout).data;
    results.push({ rows, ms: r.ms, cpuMs, rssMb: r.rssMb, verdict: report.verdict, checks: report.checks.length });
  }
  const label = (n) => `${n / 1e6}M`;
  const out = [];
  for (const x of results) {
    out.push({
      name: `gate ${label(x.rows)} paired rows, ${x.checks} checks, whole process [${x.verdict}]`,
      value: `${(x.ms / 1000).toFixed(2)} s wall, ${(x.cpuMs / 1000).toFixed(2)} s CPU`,
    });
    out.push({
      name: `gate ${label(x.rows)} rows peak RSS`,
      value: `${x.rssMb?.toFixed(0)} MB`,
      target: x.rows >= 10_000_000 ? '< 2048 MB' : undefined,
      ok: x.rows >= 10_000_000 ? x.rssMb < 2048 : undefined,
    });
  }
  if (results.length >= 2) {
    const [a, b] = [results[0], results.at(-1)];
    const nlogn = (b.rows * Math.log(b.rows)) / (a.rows * Math.log(a.rows));
    out.push({
      name: `gate CPU time growth ${label(a.rows)} → ${label(b.rows)} rows`,
      value: `${(b.cpuMs / a.cpuMs).toFixed(2)}×`,
      baseline: `n log n: ${nlogn.toFixed(1)}×`,
      ratio: b.cpuMs / a.cpuMs / nlogn,
      target: '≤ 1.0× of n log n',
      ok: b.cpuMs / a.cpuMs <= nlogn,
    });
    out.push({
      name: `gate wall time growth ${label(a.rows)} → ${label(b.rows)} rows (info)`,
      value: `${(b.ms / a.ms).toFixed(2)}×`,
      baseline: `n log n: ${nlogn.toFixed(1)}×`,
      ratio: b.ms / a.ms / nlogn,
    });
  }
  return out;
}
