// The PostgreSQL registry (issue 17), on a private cluster started here: with 100k versions and 1M
// events (copied from the audit bench's SQLite registry, so both hold the same rows), the query time
// of show / audit / lineage (≤ 50 ms each, like SQLite), a whole-process `show` against PostgreSQL
// vs the local SQLite file (≤ 1.5×), and write throughput with 32 concurrent writer processes
// against PostgreSQL and against the S3-shared registry (versions/s for both).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { BIN, ROOT, median, startS3rver, timed } from './lib.mjs';
import { seed } from './audit.mjs';
import { createDatabase, havePostgres, startPgCluster } from '../scripts/pg-cluster.mjs';

const WRITERS = 32;
const PER_WRITER = Number(process.env.BENCH_PG_PER_WRITER ?? 3);
const CREDS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

async function writers(dir, env) {
  for (let w = 0; w < WRITERS; w++)
    for (let k = 0; k < PER_WRITER; k++) {
      mkdirSync(join(dir, `m-${w}-${k}`), { recursive: true });
      writeFileSync(join(dir, `m-${w}-${k}`, 'w.bin'), `writer ${w} model ${k}`);
    }
  const t = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      for (let k = 0; k < PER_WRITER; k++) {
        await timed(process.execPath, [BIN, 'register', `w${w % 4}`, `m-${w}-${k}`, '--lock-timeout', '10m'], {
          cwd: dir,
          env,
        });
      }
    }),
  );
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  return { s, perSecond: (WRITERS * PER_WRITER) / s };
}

export async function run() {
  if (!havePostgres) return [{ name: 'postgres: skipped (no postgresql package)', value: '-', ok: true }];
  const lib = await import(join(ROOT, 'dist/lib.js'));
  const sqliteFile = await seed(lib);
  const cluster = await startPgCluster();
  const work = mkdtempSync(join(tmpdir(), 'bench-pg-'));
  const rows = [];
  try {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const url = createDatabase(cluster.base);
    const pg = await lib.PgRegistry.open(lib.parsePgUrl(url, env), env, { create: true });
    const src = lib.SqliteRegistry.open(sqliteFile);
    const tc = process.hrtime.bigint();
    const copied = await lib.copyRegistry(src, pg, { from: 'sqlite', to: 'postgres' });
    rows.push({
      name: `postgres: copy ${copied.rows.versions} versions, ${copied.events} events from SQLite (info)`,
      value: `${(Number(process.hrtime.bigint() - tc) / 1e9).toFixed(1)} s`,
    });
    await src.close();
    await pg.write(async () => undefined);
    const { Client } = (await import('pg')).default;
    const admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query('VACUUM ANALYZE');
    await admin.end();

    const now = new Date('2030-01-01T00:00:00Z');
    const q = async (fn) => {
      await fn();
      const t = process.hrtime.bigint();
      await fn();
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const cases = [
      ['show model-7@500', () => lib.showVersion(pg, 'model-7@500')],
      ['audit --model model-7 --limit 100', () => lib.queryAudit(pg, { model: 'model-7', limit: 100 }, now)],
      ['audit --ref model-7@500', () => lib.queryAudit(pg, { ref: 'model-7@500' }, now)],
      [
        'audit --action champion.set --limit 100',
        () => lib.queryAudit(pg, { action: 'champion.set', limit: 100 }, now),
      ],
      [
        'audit --actor user5@example.com --limit 100',
        () => lib.queryAudit(pg, { actor: 'user5@example.com', limit: 100 }, now),
      ],
      ['audit --since/--until (one day)', () => lib.queryAudit(pg, { since: '2026-06-01', until: '2026-06-02' }, now)],
      ['audit champion model-7 --at 2026-09-01', () => lib.championAt(pg, 'model-7', '2026-09-01', now)],
      ['lineage model-7@500 (depth 3)', () => lib.lineageOf(pg, 'model-7@500', 3)],
      ['lineage --data sha256:…d7', () => lib.versionsTrainedOn(pg, `sha256:${(7).toString(16).padStart(64, 'd')}`)],
    ];
    for (const [name, fn] of cases) {
      const ms = await q(fn);
      rows.push({
        name: `postgres: ${name} — query time`,
        value: `${ms.toFixed(1)} ms`,
        target: '≤ 50 ms',
        ok: ms <= 50,
      });
    }
    const tv = process.hrtime.bigint();
    const v = await lib.verifyChain(pg);
    rows.push({
      name: `postgres: audit verify over ${(v.events / 1e6).toFixed(1)}M events (${v.ok ? 'intact' : 'BROKEN'}) (info)`,
      value: `${(Number(process.hrtime.bigint() - tv) / 1e9).toFixed(2)} s`,
      ok: v.ok,
    });
    await pg.close();

    // Whole process: the same `show` against PostgreSQL and against the SQLite file.
    const proj = join(work, 'proj');
    mkdirSync(proj);
    writeFileSync(join(proj, 'mlctl.yaml'), 'artifacts: .mlctl/artifacts\n');
    const showPg = await median(9, () =>
      timed(process.execPath, [BIN, 'show', 'model-7@500'], { cwd: proj, env: { MLCTL_REGISTRY: url } }),
    );
    const showLite = await median(9, () =>
      timed(process.execPath, [BIN, 'show', 'model-7@500'], { cwd: proj, env: { MLCTL_REGISTRY: sqliteFile } }),
    );
    rows.push({
      name: 'postgres: mlctl show, whole process (median of 9)',
      value: `${showPg.toFixed(0)} ms`,
      baseline: `SQLite file ${showLite.toFixed(0)} ms`,
      ratio: showPg / showLite,
      target: '≤ 1.5×',
      ok: showPg / showLite <= 1.5,
    });

    // Write throughput: 32 writer processes at once, PostgreSQL vs the S3-shared registry.
    const pgDir = join(work, 'pgw');
    mkdirSync(pgDir);
    const pgUrl = createDatabase(cluster.base);
    writeFileSync(join(pgDir, 'mlctl.yaml'), `registry: ${pgUrl}\nartifacts: .mlctl/artifacts\n`);
    const pgW = await writers(pgDir, {});
    const s3 = await startS3rver(join(work, 's3'));
    try {
      const client = new S3Client({
        endpoint: s3.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      });
      await client.send(new CreateBucketCommand({ Bucket: 'bench' }));
      client.destroy();
      const s3Dir = join(work, 's3w');
      mkdirSync(s3Dir);
      writeFileSync(
        join(s3Dir, 'mlctl.yaml'),
        `registry: s3://bench/team/registry.db\nartifacts: .mlctl/artifacts\ns3: { endpoint: ${s3.endpoint}, forcePathStyle: true }\n`,
      );
      const init = await timed(process.execPath, [BIN, 'init', '--yes', '--force'], { cwd: s3Dir, env: CREDS });
      if (init.code) throw new Error(`init failed: ${init.stderr}`);
      const s3W = await writers(s3Dir, CREDS);
      rows.push({
        name: `postgres: ${WRITERS} concurrent writers × ${PER_WRITER} registers`,
        value: `${pgW.perSecond.toFixed(1)} versions/s`,
        baseline: `S3-shared ${s3W.perSecond.toFixed(1)} versions/s`,
        ratio: pgW.perSecond / s3W.perSecond,
      });
    } finally {
      await s3.stop();
    }
  } finally {
    cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}
