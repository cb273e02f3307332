// The HTML report of a model with 1,000 versions (20 metrics each) and 100 gate runs with ROC/PR
// curves: time to write it (whole process), its size (target < 2 MB) and how long Debian's
// Chromium takes to load it (target < 1 s). Baseline: `mlctl list` of the same versions.
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, ROOT, median, seedRegistry, timed } from './lib.mjs';

const VERSIONS = 1000;
const GATE_RUNS = 100;
const DATA = join(ROOT, 'bench/data/report');
const CHROMIUM = process.env.MLCTL_CHROMIUM ?? '/usr/bin/chromium';

function curve(n, bend) {
  return Array.from({ length: n }, (_, i) => {
    const x = i / (n - 1);
    return [Math.round(x * 1e5) / 1e5, Math.round(x ** bend * 1e5) / 1e5];
  });
}

/** 1,000 versions from the shared seeder, then a history: creation times, champions, gate runs with curves. */
async function seed() {
  const db = join(DATA, `registry-${VERSIONS}-${GATE_RUNS}.db`);
  if (existsSync(db)) return db;
  const tmp = `${db}.seeding`;
  rmSync(tmp, { force: true });
  await seedRegistry(tmp, VERSIONS);
  const { default: Database } = await import('better-sqlite3');
  const d = new Database(tmp);
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const at = (i) => new Date(t0 + i * 3_600_000).toISOString();
  d.transaction(() => {
    const upd = d.prepare('UPDATE versions SET created_at = ?, description = ? WHERE version = ?');
    for (let v = 1; v <= VERSIONS; v++) upd.run(at(v), `candidate ${v} <b>retrained</b>`, v);
    // A champion every 100 versions: ten champion periods to band the charts.
    const ev = d.prepare(
      "INSERT INTO events(seq, at, actor, action, model, subject, payload, prev_hash, hash) VALUES (?, ?, 'bench', 'champion.set', 'm', ?, ?, '0', '0')",
    );
    for (let k = 0; k < 10; k++) {
      const v = 50 + k * 100;
      ev.run(
        k + 1,
        at(v + 1),
        `m@${v}`,
        JSON.stringify({ version: v, previous: k ? v - 100 : null, via: 'promote', reason: 'bench', adr: null }),
      );
    }
    d.prepare(
      "INSERT INTO aliases(model_id, alias, version_id, updated_at, updated_by) VALUES (1, 'champion', 950, ?, 'bench')",
    ).run(at(951));
    const gr = d.prepare(
      "INSERT INTO gate_runs(candidate_id, baseline_id, candidate_manifest, baseline_manifest, policy_digest, dataset_digest, source, verdict, report, at, actor) VALUES (?, ?, 'sha256:c', 'sha256:b', 'sha256:p', 'sha256:d', 'predictions', ?, ?, ?, 'bench')",
    );
    for (let g = 0; g < GATE_RUNS; g++) {
      const cand = 10 * (g + 1);
      const checks = Array.from({ length: 6 }, (_, i) => ({
        id: `check-${i}`,
        metric: 'auc',
        slice: null,
        kind: 'max_regression',
        verdict: 'pass',
        severity: 'error',
        candidate: 0.9,
        baseline: 0.89,
        inequality: 'auc: 0.9000 − 0.8900 = +0.0100 ≥ −0.0050 ✓',
      }));
      const report = {
        verdict: 'pass',
        summary: { pass: 6, fail: 0, warn: 0, skip: 0, inconclusive: 0 },
        checks,
        curves: {
          rows: 100000,
          positives: 30000,
          candidate: { roc: curve(500, 0.3), pr: curve(500, 2) },
          baseline: { roc: curve(500, 0.35), pr: curve(500, 2.2) },
        },
      };
      gr.run(cand, cand - 1, g % 7 === 0 ? 'fail' : 'pass', JSON.stringify(report), at(cand + 1));
    }
  })();
  d.close();
  mkdirSync(DATA, { recursive: true });
  const { renameSync } = await import('node:fs');
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(tmp + suffix)) renameSync(tmp + suffix, db + suffix);
  return db;
}

export async function run() {
  const db = await seed();
  const out = join(DATA, 'report.html');
  const args = ['--registry', db];
  const writeMs = await median(3, () => timed(process.execPath, [BIN, 'report', 'm', '--html', out, ...args]));
  const listMs = await median(3, () => timed(process.execPath, [BIN, 'list', 'm', ...args]));
  const size = statSync(out).size;
  const rows = [
    {
      name: `report of ${VERSIONS} versions, ${GATE_RUNS} gate runs — write (whole process)`,
      value: `${writeMs.toFixed(0)} ms`,
      baseline: `mlctl list ${listMs.toFixed(0)} ms`,
      ratio: writeMs / listMs,
    },
    {
      name: 'report file size',
      value: `${(size / 1024 / 1024).toFixed(2)} MB`,
      target: '< 2 MB',
      ok: size < 2 * 1024 * 1024,
    },
  ];
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const loads = [];
    for (let i = 0; i < 3; i++) {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(out).href, { waitUntil: 'load' });
      loads.push(
        await page.evaluate(() => {
          const nav = performance.getEntriesByType('navigation')[0];
          return nav.loadEventEnd - nav.startTime;
        }),
      );
      await page.close();
    }
    loads.sort((a, b) => a - b);
    rows.push({
      name: 'report load in Chromium (navigation start → load event)',
      value: `${loads[1].toFixed(0)} ms`,
      target: '< 1 s',
      ok: loads[1] < 1000,
    });
  } finally {
    await browser.close();
  }
  return rows;
}
