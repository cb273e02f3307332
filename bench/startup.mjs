// Start-up, measured against `node -e 0` in the same run, the commands interleaved round by round so
// a busy machine slows every one alike: `mlctl --version`, `--help`, `show m@latest` on a registry of
// 100k versions × 20 metrics, and a rollout stage change as a whole `mlctl promote` process (load
// config + registry, edit a 50-document Istio file, validate, write, commit it and the ADR), with
// the code cache a previous run wrote (the usual case) and without one (MLCTL_CODE_CACHE=0: the
// first run of a command, or a CI machine with an empty cache folder).
// Each value is the median (p50) of BENCH_RUNS rounds (default 15).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, seedRegistry, timed } from './lib.mjs';
import { rolloutProject } from './rollout-project.mjs';

const DATA = join(ROOT, 'bench/data/startup');
const VERSIONS = Number(process.env.BENCH_VERSIONS ?? 100_000);
const METRICS = 20; // as seeded by seedRegistry
const N = Number(process.env.BENCH_RUNS ?? 15);

const p50 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run() {
  const db = await seedRegistry(join(DATA, `registry-${VERSIONS}.db`), VERSIONS);
  const cwd = join(DATA, 'project');
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'mlctl.yaml'), `registry: ${db}\nartifacts: .mlctl/artifacts\n`);
  const roll = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  try {
    // Two stages per round, plus the first one taken by the start and the last one left unused.
    const { env } = await rolloutProject(roll, 2 * N + 3);
    const cache = { MLCTL_CACHE_DIR: join(roll, '.mlctl', 'user-cache') };
    const cases = [
      ['base', process.execPath, ['-e', '0'], {}],
      ['version', process.execPath, [BIN, '--version'], { env: cache }],
      ['help', process.execPath, [BIN, '--help'], { env: cache }],
      ['show', process.execPath, [BIN, 'show', 'm@latest'], { cwd, env: cache }],
      ['stage', process.execPath, [BIN, 'promote', 'fraud@2', '--yes'], { cwd: roll, env: { ...env, ...cache } }],
      [
        'cold',
        process.execPath,
        [BIN, 'promote', 'fraud@2', '--yes'],
        { cwd: roll, env: { ...env, MLCTL_CODE_CACHE: '0' } },
      ],
    ];
    // Warm the page cache, and write the code caches of help and show (promote's: its first round).
    for (let i = 0; i < 3; i++) await timed(process.execPath, [BIN, 'show', 'm@latest'], { cwd, env: cache });
    await timed(process.execPath, [BIN, '--help'], { env: cache });
    const ms = Object.fromEntries(cases.map(([k]) => [k, []]));
    for (let i = 0; i < N; i++) for (const [k, cmd, args, o] of cases) ms[k].push((await timed(cmd, args, o)).ms);
    const t = Object.fromEntries(Object.entries(ms).map(([k, xs]) => [k, p50(xs)]));
    const row = (name, k, target) => ({
      name,
      value: `${t[k].toFixed(1)} ms`,
      baseline: 'node -e 0',
      ratio: t[k] / t.base,
      target: target === undefined ? undefined : `≤ ${target}×`,
      ok: target === undefined ? undefined : t[k] / t.base <= target,
    });
    return [
      { name: `node -e 0 (baseline, p50 of ${N})`, value: `${t.base.toFixed(1)} ms` },
      row('mlctl --version', 'version', 1.2),
      row('mlctl promote: one stage change, whole process (50-doc Istio file, git commit)', 'stage', 2.5),
      row('mlctl promote: the same without a code cache (first run, empty CI cache) (info)', 'cold'),
      row(`mlctl show m@latest (${VERSIONS / 1000}k versions × ${METRICS} metrics)`, 'show', 2.5),
      row('mlctl --help (info)', 'help'),
    ];
  } finally {
    rmSync(roll, { recursive: true, force: true });
  }
}
