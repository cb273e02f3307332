// A rollout stage change (load config + registry, edit, validate, write, commit the serving file and
// the ADR) on a 50-document Istio serving file; target ≤ 300 ms. Measured two ways in the same run:
// as a whole `mlctl promote` process (node start-up and module loading included), and in a warm
// process calling the CLI's main() (what a long-running automation would pay per stage).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { BIN, ROOT, timed } from './lib.mjs';
import { rolloutProject } from './rollout-project.mjs';

const STAGES = 26;
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];

/** Run the CLI's main() in this process, output discarded; resolves with its wall time. */
async function inProcess(main, cwd, argv) {
  const here = process.cwd();
  const write = process.stdout.write;
  const ewrite = process.stderr.write;
  process.chdir(cwd);
  process.stdout.write = () => true;
  process.stderr.write = () => true;
  const t0 = performance.now();
  try {
    const code = await main(argv);
    if (code !== 0) throw new Error(`mlctl ${argv.join(' ')} exited ${code}`);
    return performance.now() - t0;
  } finally {
    process.stdout.write = write;
    process.stderr.write = ewrite;
    process.chdir(here);
  }
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rollout-'));
  try {
    const { env, start, docs } = await rolloutProject(dir, STAGES);
    const cold = [];
    for (let i = 1; i <= 12; i++)
      cold.push((await timed(process.execPath, [BIN, 'promote', 'fraud@2', '--yes'], { cwd: dir, env })).ms);
    process.env.MLCTL_ACTOR = env.MLCTL_ACTOR;
    const { main } = createRequire(import.meta.url)(join(ROOT, 'dist/cli.cjs'));
    const warm = [];
    for (let i = 13; i < STAGES - 1; i++) warm.push(await inProcess(main, dir, ['promote', 'fraud@2', '--yes']));
    const full = (await timed(process.execPath, [BIN, 'promote', 'fraud@2', '--yes'], { cwd: dir, env })).ms;
    // Baselines in the same run: a bare node start, and git committing the same file by hand.
    const node = [];
    for (let i = 0; i < 9; i++) node.push((await timed(process.execPath, ['-e', '0'])).ms);
    node.sort((a, b) => a - b);
    const gitCommit = [];
    for (let i = 0; i < 9; i++) {
      writeFileSync(join(dir, 'deploy/fraud.yaml'), `${readFileSync(join(dir, 'deploy/fraud.yaml'), 'utf8')}# ${i}\n`);
      gitCommit.push((await timed('git', ['commit', '-qam', `hand edit ${i}`], { cwd: dir })).ms);
    }
    gitCommit.sort((a, b) => a - b);
    const n0 = node[4];
    const g0 = gitCommit[4];
    return [
      {
        name: `rollout: stage change, ${docs}-doc file, whole CLI process (median of ${cold.length})`,
        value: `${med(cold).toFixed(1)} ms`,
        baseline: 'node -e 0',
        ratio: med(cold) / n0,
        target: '≤ 300 ms',
        ok: med(cold) <= 300,
      },
      {
        name: 'rollout: stage change, whole CLI process, p90',
        value: `${p90(cold).toFixed(1)} ms`,
        target: '≤ 300 ms',
        ok: p90(cold) <= 300,
      },
      {
        name: `rollout: stage change in a warm process (median of ${warm.length})`,
        value: `${med(warm).toFixed(1)} ms`,
        target: '≤ 300 ms',
        ok: med(warm) <= 300,
      },
      {
        name: 'rollout: stage change in a warm process, p90',
        value: `${p90(warm).toFixed(1)} ms`,
        target: '≤ 300 ms',
        ok: p90(warm) <= 300,
      },
      { name: 'rollout: start (materialize + ADR + commit) (info)', value: `${start.ms.toFixed(1)} ms` },
      {
        name: 'rollout: to full (champion moves) (info)',
        value: `${full.toFixed(1)} ms`,
        target: '≤ 300 ms',
        ok: full <= 300,
      },
      { name: 'baseline: git commit -am of the same file (info)', value: `${g0.toFixed(1)} ms` },
      { name: 'baseline: node -e 0 (info)', value: `${n0.toFixed(1)} ms` },
    ];
  } finally {
    if (process.env.BENCH_KEEP) console.error(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
