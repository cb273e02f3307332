// Start-up: `mlctl --version` and `mlctl show m@latest` on a registry of 100k versions × 20 metrics, against `node -e 0`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, median, seedRegistry, timed } from './lib.mjs';

const DATA = join(ROOT, 'bench/data/startup');
const VERSIONS = Number(process.env.BENCH_VERSIONS ?? 100_000);
const METRICS = 20; // as seeded by seedRegistry

export async function run() {
  const db = await seedRegistry(join(DATA, `registry-${VERSIONS}.db`), VERSIONS);
  const cwd = join(DATA, 'project');
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'mlctl.yaml'), `registry: ${db}\nartifacts: .mlctl/artifacts\n`);
  const N = Number(process.env.BENCH_RUNS ?? 15);
  for (let i = 0; i < 3; i++) await timed(process.execPath, [BIN, 'show', 'm@latest'], { cwd }); // warm the page cache
  const base = await median(N, () => timed(process.execPath, ['-e', '0']));
  const version = await median(N, () => timed(process.execPath, [BIN, '--version']));
  const show = await median(N, () => timed(process.execPath, [BIN, 'show', 'm@latest'], { cwd }));
  const help = await median(N, () => timed(process.execPath, [BIN, '--help']));
  return [
    { name: 'node -e 0 (baseline)', value: `${base.toFixed(1)} ms` },
    {
      name: 'mlctl --version',
      value: `${version.toFixed(1)} ms`,
      baseline: 'node -e 0',
      ratio: version / base,
      target: '≤ 1.5×',
      ok: version / base <= 1.5,
    },
    {
      name: `mlctl show m@latest (${VERSIONS / 1000}k versions × ${METRICS} metrics)`,
      value: `${show.toFixed(1)} ms`,
      baseline: 'node -e 0',
      ratio: show / base,
      target: '≤ 2.5×',
      ok: show / base <= 2.5,
    },
    { name: 'mlctl --help (info)', value: `${help.toFixed(1)} ms`, baseline: 'node -e 0', ratio: help / base },
  ];
}
