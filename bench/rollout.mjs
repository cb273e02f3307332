// A rollout stage change (load config + registry, edit, validate, write, commit the serving file and
// the ADR) on a 50-document Istio serving file; target ≤ 300 ms. Measured two ways in the same run:
// as a whole `mlctl promote` process (node start-up and module loading included), and in a warm
// process calling the CLI's main() (what a long-running automation would pay per stage).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, ROOT, timed } from './lib.mjs';

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

function git(cwd, ...args) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** The shipped Istio template plus 48 unrelated documents (Services, ConfigMaps), as a big GitOps file would have. */
function servingFile() {
  const base = readFileSync(join(ROOT, 'templates/serving/istio.yaml'), 'utf8');
  const extra = Array.from({ length: 48 }, (_, i) =>
    i % 2
      ? `---\n# feature service ${i}\napiVersion: v1\nkind: Service\nmetadata:\n  name: features-${i}\n  namespace: models\n  labels: { app: features-${i}, team: risk }\nspec:\n  selector: { app: features-${i} }\n  ports:\n    - { name: http, port: 80, targetPort: 8080 }\n`
      : `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: thresholds-${i}\n  namespace: models\ndata:\n  threshold: "0.${i}"\n  rules: |\n    amount > 1000 -> review\n    country not in [US, DE] -> review\n`,
  ).join('');
  return `${base}${extra}`;
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rollout-'));
  try {
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'config', 'user.email', 'bench@example.com');
    git(dir, 'config', 'user.name', 'bench');
    const env = { MLCTL_ACTOR: 'bench@example.com' };
    await timed(process.execPath, [BIN, 'init', '--yes'], { cwd: dir, env });
    mkdirSync(join(dir, 'deploy'));
    writeFileSync(join(dir, 'deploy/fraud.yaml'), servingFile());
    const stages = [
      { stage: 'canary', weight: 1 },
      ...Array.from({ length: STAGES - 2 }, (_, i) => ({ stage: 'ramp', weight: i + 2 })),
      { stage: 'full' },
    ];
    writeFileSync(
      join(dir, 'mlctl.yaml'),
      `${readFileSync(join(dir, 'mlctl.yaml'), 'utf8')}\nserving:\n  fraud: { adapter: istio, files: [deploy/fraud.yaml], plan: many }\nrollout:\n  plans:\n    many:\n${stages.map((s) => `      - ${JSON.stringify(s)}\n`).join('')}`,
    );
    for (const v of ['1', '2']) {
      mkdirSync(join(dir, `m${v}`));
      writeFileSync(join(dir, `m${v}/model.bin`), `weights ${v}`);
    }
    writeFileSync(join(dir, '.gitignore'), '.mlctl/\nm1/\nm2/\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'init');
    for (const m of ['m1', 'm2']) await timed(process.execPath, [BIN, 'register', 'fraud', m], { cwd: dir, env });
    await timed(process.execPath, [BIN, 'promote', 'fraud@1', '--yes'], { cwd: dir, env });
    const docs = readFileSync(join(dir, 'deploy/fraud.yaml'), 'utf8').split(/^---$/m).length;
    const start = await timed(process.execPath, [BIN, 'promote', 'fraud@2', '--force', '--reason', 'bench'], {
      cwd: dir,
      env,
    });
    const cold = [];
    for (let i = 1; i <= 12; i++)
      cold.push((await timed(process.execPath, [BIN, 'promote', 'fraud@2', '--yes'], { cwd: dir, env })).ms);
    process.env.MLCTL_ACTOR = env.MLCTL_ACTOR;
    const { main } = await import(pathToFileURL(join(ROOT, 'dist/main.js')).href);
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
