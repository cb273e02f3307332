// Start-up: `mlctl --version` and `mlctl show m@latest` on a registry of 100k versions × 20 metrics, against `node -e 0`.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, median, timed } from './lib.mjs';

const DATA = join(ROOT, 'bench/data/startup');
const VERSIONS = Number(process.env.BENCH_VERSIONS ?? 100_000);
const METRICS = 20;

async function seed() {
  const db = join(DATA, `registry-${VERSIONS}.db`);
  if (existsSync(db)) return db;
  mkdirSync(DATA, { recursive: true });
  // The registry's own migrations create the schema; the rows are then bulk-inserted.
  await timed(process.execPath, [BIN, 'init', '--yes', '--force', '--registry', db], { cwd: mkdtempSync(join(tmpdir(), 'bench-init-')) });
  const { default: Database } = await import('better-sqlite3');
  const d = new Database(db);
  d.pragma('journal_mode = WAL');
  const at = '2026-11-23T10:00:00.000Z';
  d.prepare("INSERT INTO models(name, created_at, created_by) VALUES ('m', ?, 'bench')").run(at);
  const v = d.prepare(
    "INSERT INTO versions(model_id, version, status, manifest_digest, file_count, total_size, created_at, created_by, config) VALUES (1, ?, 'registered', ?, 1, 1000, ?, 'bench', ?)",
  );
  const a = d.prepare('INSERT INTO artifacts(version_id, path, size, sha256) VALUES (?, ?, 1000, ?)');
  const m = d.prepare('INSERT INTO metrics(version_id, slice, name, value, dataset_digest) VALUES (?, \'\', ?, ?, ?)');
  d.transaction(() => {
    for (let i = 1; i <= VERSIONS; i++) {
      const hex = i.toString(16).padStart(64, '0');
      const id = Number(v.run(i, `sha256:${hex}`, at, JSON.stringify({ lr: 0.1, seed: i })).lastInsertRowid);
      a.run(id, 'model.bin', hex);
      for (let k = 0; k < METRICS; k++) m.run(id, `metric_${k}`, Math.random(), `sha256:${'d'.repeat(64)}`);
    }
  })();
  d.close();
  return db;
}

export async function run() {
  const db = await seed();
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
    { name: 'mlctl --version', value: `${version.toFixed(1)} ms`, baseline: 'node -e 0', ratio: version / base, target: '≤ 1.5×', ok: version / base <= 1.5 },
    { name: `mlctl show m@latest (${VERSIONS / 1000}k versions × ${METRICS} metrics)`, value: `${show.toFixed(1)} ms`, baseline: 'node -e 0', ratio: show / base, target: '≤ 2.5×', ok: show / base <= 2.5 },
    { name: 'mlctl --help (info)', value: `${help.toFixed(1)} ms`, baseline: 'node -e 0', ratio: help / base },
  ];
}
