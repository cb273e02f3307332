// Re-registering an unchanged 1 GiB file with the hash cache (stat + one SQLite lookup instead of
// reading every byte), against `openssl dgst -sha256` of the same file, measured in the same run.
// Target ≤ 0.3×. Also: the same re-register with --no-hash-cache (info). Size: BENCH_SIZE_MIB.
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, timed } from './lib.mjs';

const SIZE_MIB = Number(process.env.BENCH_SIZE_MIB ?? 1024);
const DATA = join(ROOT, 'bench/data/hash-cache');
const RUNS = 5;

function makeFile() {
  mkdirSync(DATA, { recursive: true });
  const file = join(DATA, `model-${SIZE_MIB}MiB.bin`);
  if (existsSync(file) && statSync(file).size === SIZE_MIB << 20) return file;
  const fd = openSync(file, 'w');
  const buf = Buffer.alloc(16 << 20);
  for (let i = 0; i < SIZE_MIB / 16; i++) writeSync(fd, randomFillSync(buf));
  closeSync(fd);
  return file;
}

async function medianOf(fn) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await fn());
  runs.sort((a, b) => a.ms - b.ms);
  return runs[Math.floor(RUNS / 2)];
}

const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

export async function run() {
  const file = makeFile();
  const project = join(DATA, 'project');
  const cache = join(DATA, 'cache');
  rmSync(project, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'mlctl.yaml'), 'registry: .mlctl/registry.db\nartifacts: .mlctl/artifacts\n');
  const env = { MLCTL_ACTOR: 'bench', MLCTL_CACHE_DIR: cache };
  const register = (...extra) =>
    timed(process.execPath, [BIN, 'register', 'm', file, '--allow-duplicate', '--json', ...extra], {
      cwd: project,
      env,
      node: true,
    });
  // First registration: hashes every byte, stores the blob, fills the cache.
  const first = await register();
  spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'] }); // page cache warm for everyone
  spawnSync('sync');
  const cached = await medianOf(() => register());
  const hits = JSON.parse(cached.stdout).data.hashing.cached;
  const openssl = await medianOf(() => timed('openssl', ['dgst', '-sha256', file]));
  const full = await medianOf(() => register('--no-hash-cache'));
  const label = `${SIZE_MIB} MiB`;
  return [
    { name: `first register ${label}, local store (hash + copy; info)`, value: s(first.ms) },
    { name: `openssl dgst -sha256 ${label} (baseline)`, value: s(openssl.ms) },
    {
      name: `re-register unchanged ${label}, hash cache (${hits} hit)`,
      value: s(cached.ms),
      baseline: 'openssl dgst',
      ratio: cached.ms / openssl.ms,
      target: '≤ 0.3×',
      ok: hits === 1 && cached.ms / openssl.ms <= 0.3,
    },
    {
      name: `re-register unchanged ${label}, --no-hash-cache (info)`,
      value: s(full.ms),
      baseline: 'openssl dgst',
      ratio: full.ms / openssl.ms,
    },
  ];
}
