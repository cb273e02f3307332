// Audit and lineage on a registry of 100k versions and 1M events. Targets: each audit filter,
// `audit champion --at` and `lineage` ≤ 50 ms query time (total process time reported too);
// `audit verify` over 1M events ≤ 5 s.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, timed } from './lib.mjs';

const VERSIONS = Number(process.env.BENCH_AUDIT_VERSIONS ?? 100_000);
const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
const MODELS = 100;
const DATA = join(ROOT, 'bench/data/audit');

/** The seeded SQLite registry (cached under bench/data): also the source the PostgreSQL bench copies. */
export async function seed(lib) {
  const db = join(DATA, `registry-${VERSIONS}-${EVENTS}.db`);
  if (existsSync(db)) return db;
  mkdirSync(DATA, { recursive: true });
  const reg = lib.SqliteRegistry.open(db, { create: true });
  await reg.close();
  const { default: Database } = await import('better-sqlite3');
  const d = new Database(db);
  d.pragma('journal_mode = WAL');
  const insModel = d.prepare(
    "INSERT INTO models(name, created_at, created_by) VALUES (?, '2026-01-01T00:00:00.000Z', 'seed')",
  );
  const insVer = d.prepare(
    "INSERT INTO versions(model_id, version, status, manifest_digest, file_count, total_size, data_hash, parent_id, created_at, created_by) VALUES (?, ?, 'registered', ?, 1, 100, ?, ?, ?, 'seed')",
  );
  const insEv = d.prepare(
    'INSERT INTO events(seq, at, actor, action, model, subject, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  let prev = lib.GENESIS_HASH;
  let seq = 0;
  const actions = [
    'register',
    'tag',
    'alias.set',
    'gate.run',
    'champion.set',
    'archive',
    'tag',
    'gate.run',
    'tag',
    'alias.set',
  ];
  d.transaction(() => {
    const ids = [];
    for (let m = 1; m <= MODELS; m++) insModel.run(`model-${m}`);
    for (let i = 0; i < VERSIONS; i++) {
      const m = (i % MODELS) + 1;
      const v = Math.floor(i / MODELS) + 1;
      const parent = v > 1 ? ids[i - MODELS] : null;
      ids.push(
        Number(
          insVer.run(
            m,
            v,
            `sha256:${i.toString(16).padStart(64, '0')}`,
            `sha256:${(i % 500).toString(16).padStart(64, 'd')}`,
            parent,
            new Date(t0 + i * 1000).toISOString(),
          ).lastInsertRowid,
        ),
      );
    }
    for (let e = 0; e < EVENTS; e++) {
      seq++;
      const i = e % VERSIONS;
      const m = (i % MODELS) + 1;
      const v = Math.floor(i / MODELS) + 1;
      const action = e < VERSIONS ? 'register' : actions[e % actions.length];
      const payload =
        action === 'champion.set'
          ? { version: v, previous: v > 1 ? v - 1 : null, via: 'promote', reason: 'bench', adr: null }
          : { n: e };
      const rec = {
        seq,
        at: new Date(t0 + e * 60_000).toISOString(),
        actor: `user${e % 37}@example.com`,
        action,
        model: `model-${m}`,
        subject: `model-${m}@${v}`,
        payload,
      };
      const hash = lib.eventHash(prev, rec);
      insEv.run(seq, rec.at, rec.actor, action, rec.model, rec.subject, lib.canonicalJson(payload), prev, hash);
      prev = hash;
    }
  })();
  d.close();
  return db;
}

export async function run() {
  const lib = await import(join(ROOT, 'dist/lib.js'));
  const db = await seed(lib);
  const project = join(DATA, 'project');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'mlctl.yaml'), `registry: ${db}\nartifacts: .mlctl/artifacts\n`);
  const reg = lib.SqliteRegistry.open(db);
  const now = new Date('2030-01-01T00:00:00Z');
  const q = async (fn) => {
    await fn(); // warm the page cache and statement cache
    const t = process.hrtime.bigint();
    const r = await fn();
    return { ms: Number(process.hrtime.bigint() - t) / 1e6, r };
  };
  const cases = [
    [
      'audit --model model-7 --limit 100',
      ['audit', '--model', 'model-7', '--limit', '100'],
      () => lib.queryAudit(reg, { model: 'model-7', limit: 100 }, now),
    ],
    [
      'audit --ref model-7@500',
      ['audit', '--ref', 'model-7@500'],
      () => lib.queryAudit(reg, { ref: 'model-7@500' }, now),
    ],
    [
      'audit --action champion.set --limit 100',
      ['audit', '--action', 'champion.set', '--limit', '100'],
      () => lib.queryAudit(reg, { action: 'champion.set', limit: 100 }, now),
    ],
    [
      'audit --actor user5@example.com --limit 100',
      ['audit', '--actor', 'user5@example.com', '--limit', '100'],
      () => lib.queryAudit(reg, { actor: 'user5@example.com', limit: 100 }, now),
    ],
    [
      'audit --since/--until (one day)',
      ['audit', '--since', '2026-06-01', '--until', '2026-06-02'],
      () => lib.queryAudit(reg, { since: '2026-06-01', until: '2026-06-02' }, now),
    ],
    [
      'audit champion model-7 --at 2026-09-01',
      ['audit', 'champion', 'model-7', '--at', '2026-09-01'],
      () => lib.championAt(reg, 'model-7', '2026-09-01', now),
    ],
    ['lineage model-7@500 (depth 3)', ['lineage', 'model-7@500'], () => lib.lineageOf(reg, 'model-7@500', 3)],
    [
      'lineage --data sha256:…d7',
      ['lineage', '--data', `sha256:${(7).toString(16).padStart(64, 'd')}`],
      () => lib.versionsTrainedOn(reg, `sha256:${(7).toString(16).padStart(64, 'd')}`),
    ],
  ];
  const rows = [];
  for (const [name, args, fn] of cases) {
    const { ms } = await q(fn);
    const proc = await timed(process.execPath, [BIN, ...args, '--json'], { cwd: project });
    rows.push({
      name: `${name} — query time`,
      value: `${ms.toFixed(1)} ms`,
      baseline: `process ${proc.ms.toFixed(0)} ms`,
      target: '≤ 50 ms',
      ok: ms <= 50,
    });
  }
  const t = process.hrtime.bigint();
  const v = await lib.verifyChain(reg);
  const verifyMs = Number(process.hrtime.bigint() - t) / 1e6;
  await reg.close();
  const proc = await timed(process.execPath, [BIN, 'audit', 'verify'], { cwd: project });
  rows.push({
    name: `audit verify over ${(v.events / 1e6).toFixed(1)}M events (${v.ok ? 'intact' : 'BROKEN'})`,
    value: `${(verifyMs / 1000).toFixed(2)} s`,
    baseline: `process ${(proc.ms / 1000).toFixed(2)} s`,
    target: '≤ 5 s',
    ok: proc.ms <= 5000 && v.ok,
  });
  return rows;
}
