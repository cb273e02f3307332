// Shared helpers for `npm run bench`: timing child processes, peak RSS, result tables.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin/mlctl.js');
const RSS_PRELOAD = fileURLToPath(new URL('./rss-preload.cjs', import.meta.url));

/** Run a command; resolves with wall time (ms), exit code, output and, for node processes, peak RSS (MB). */
export function timed(cmd, args, { cwd = ROOT, env = {}, node = false, timeoutMs = 600_000 } = {}) {
  const rssFile = join(mkdtempSync(join(tmpdir(), 'bench-rss-')), 'rss');
  const fullEnv = { ...process.env, ...env };
  if (node) fullEnv.NODE_OPTIONS = `${fullEnv.NODE_OPTIONS ?? ''} --require ${RSS_PRELOAD}`.trim();
  fullEnv.BENCH_RSS_FILE = rssFile;
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      let rssMb = null;
      try {
        rssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
      } catch {
        // the child exited before writing its peak RSS: report it as unknown
      }
      rmSync(join(rssFile, '..'), { recursive: true, force: true });
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      else resolve({ ms, stdout, stderr, rssMb });
    });
  });
}

export async function median(n, fn) {
  const xs = [];
  for (let i = 0; i < n; i++) xs.push((await fn()).ms);
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)];
}

export function printTable(rows) {
  const head = ['benchmark', 'value', 'baseline', 'ratio', 'target', 'ok'];
  const cells = rows.map((r) => [
    r.name,
    r.value,
    r.baseline ?? '-',
    r.ratio === undefined ? '-' : r.ratio.toFixed(2) + '×',
    r.target ?? '-',
    r.ok === undefined ? '-' : r.ok ? 'yes' : 'NO',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)));
  const line = (c) => c.map((x, i) => String(x).padEnd(w[i])).join('  ');
  console.log(line(head));
  for (const c of cells) console.log(line(c));
}

export function saveResults(name, rows, extra = {}) {
  const file = join(ROOT, 'bench/results', `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), node: process.version, rows, ...extra }, null, 2));
  return file;
}

/** A local s3rver (test/support/s3rver-main.cjs) storing under `dir`. */
export function startS3rver(dir) {
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', join(ROOT, 'test/support/s3rver-main.cjs'), dir, '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error('s3rver did not start')), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({
          endpoint: `http://127.0.0.1:${m[1]}`,
          stop: () =>
            new Promise((r) => {
              child.once('exit', r);
              child.kill('SIGTERM');
            }),
        });
      }
    });
  });
}

/**
 * A registry of `versions` versions of model `m`, each with one artifact and 20 metrics: created by
 * mlctl's own migrations (init), then bulk-inserted. Kept under bench/data between runs.
 */
export async function seedRegistry(db, versions, { journal = 'wal' } = {}) {
  if (existsSync(db)) return db;
  mkdirSync(dirname(db), { recursive: true });
  await timed(process.execPath, [BIN, 'init', '--yes', '--force', '--registry', db], {
    cwd: mkdtempSync(join(tmpdir(), 'bench-init-')),
  });
  const { default: Database } = await import('better-sqlite3');
  const d = new Database(db);
  d.pragma('journal_mode = WAL');
  const at = '2026-11-23T10:00:00.000Z';
  d.prepare("INSERT INTO models(name, created_at, created_by) VALUES ('m', ?, 'bench')").run(at);
  const v = d.prepare(
    "INSERT INTO versions(model_id, version, status, manifest_digest, file_count, total_size, created_at, created_by, config) VALUES (1, ?, 'registered', ?, 1, 1000, ?, 'bench', ?)",
  );
  const a = d.prepare('INSERT INTO artifacts(version_id, path, size, sha256) VALUES (?, ?, 1000, ?)');
  const m = d.prepare("INSERT INTO metrics(version_id, slice, name, value, dataset_digest) VALUES (?, '', ?, ?, ?)");
  d.transaction(() => {
    for (let i = 1; i <= versions; i++) {
      const hex = i.toString(16).padStart(64, '0');
      const id = Number(v.run(i, `sha256:${hex}`, at, JSON.stringify({ lr: 0.1, seed: i })).lastInsertRowid);
      a.run(id, 'model.bin', hex);
      for (let k = 0; k < 20; k++) m.run(id, `metric_${k}`, Math.random(), `sha256:${'d'.repeat(64)}`);
    }
  })();
  if (journal === 'delete') d.pragma('journal_mode = DELETE');
  d.close();
  return db;
}
