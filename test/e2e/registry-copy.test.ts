import { describe, expect, inject, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SqliteRegistry } from '../../src/adapters/sqlite/sqlite-registry.js';
import { PgRegistry } from '../../src/adapters/postgres/pg-registry.js';
import { parsePgUrl } from '../../src/adapters/postgres/connection.js';
import { copyRegistry } from '../../src/adapters/registry/table-copy.js';
import { appendEvent } from '../../src/core/audit/chain.js';
import { verifyChain } from '../../src/core/audit/verify.js';
import { createDatabase } from '../support/postgres.js';
import { tempDir } from '../support/helpers.js';
import { newVersion } from '../registry/contract.js';
import type { Registry } from '../../src/ports/registry.js';

const base = inject('pgBase');
const env = { PATH: process.env.PATH, HOME: process.env.HOME };
const now = '2026-11-23T10:00:00.000Z';

/** Everything a registry answers, through the port only: two registries that say the same are the same. */
async function snapshot(r: Registry) {
  const models = await r.listModels();
  const out: Record<string, unknown> = { models };
  for (const m of models) {
    const versions = await r.listVersions(m.name, {});
    out[m.name] = await Promise.all(
      versions.map(async (v) => ({
        v,
        artifacts: await r.artifacts(v.id),
        metrics: await r.metrics(v.id),
        tags: await r.tags(v.id),
        aliases: await r.aliasesOf(v.id),
        gateRuns: await r.gateRuns(v.id),
        children: (await r.children(v.id)).map((c) => c.id),
      })),
    );
    out[`${m.name}:rollouts`] = await r.rollouts({ model: m.name });
    for (const ro of await r.rollouts({ model: m.name }))
      out[`rollout:${ro.id}:looks`] = await r.compareLooks({ rolloutId: ro.id });
  }
  out.events = await r.events({});
  return out;
}

async function seed(r: Registry): Promise<void> {
  const v1 = await r.write(() => r.insertVersion(newVersion('fraud')));
  const v2 = await r.write(() =>
    r.insertVersion(
      newVersion('fraud', 'c'.repeat(64), {
        parentId: v1.id,
        code: { commit: '1234', branch: null, dirty: true, remote: null },
      }),
    ),
  );
  await r.write(() => r.insertVersion(newVersion('churn')));
  await r.write(async () => {
    await r.setAlias('fraud', 'champion', v1.id, now, 't');
    await r.setStatus(v1.id, 'production', now);
    await appendEvent(r, {
      at: now,
      actor: 'a "q" ✓',
      action: 'champion.set',
      model: 'fraud',
      subject: 'fraud@1',
      payload: { version: 1, n: 1e-9 },
    });
  });
  const g = await r.write(() =>
    r.insertGateRun({
      candidateId: v2.id,
      baselineId: v1.id,
      candidateManifest: v2.manifestDigest,
      baselineManifest: v1.manifestDigest,
      policyDigest: 'sha256:p',
      datasetDigest: null,
      source: 'predictions',
      verdict: 'pass',
      report: { checks: [] },
      at: now,
      actor: 't',
    }),
  );
  await r.write(async () => {
    const ro = await r.insertRollout({
      key: 'a1b2c3d4e5f6',
      model: 'fraud',
      candidateId: v2.id,
      championId: v1.id,
      planName: 'standard',
      plan: [{ stage: 'full', minDurationMs: 0, checks: [], auto: false }],
      step: 0,
      state: 'active',
      stepStartedAt: now,
      candidateUri: 'x',
      championUri: null,
      gateRunId: g,
      adr: null,
      lastCommit: null,
      startedAt: now,
      startedBy: 't',
    });
    await appendEvent(r, {
      at: now,
      actor: 't',
      action: 'rollout.start',
      model: 'fraud',
      subject: 'fraud@2',
      payload: { rollout: ro.id },
    });
    await r.recordStep({
      id: ro.key,
      model: 'fraud',
      action: 'start',
      rollout: ro.key,
      stage: 'full',
      commit: 'f'.repeat(40),
      seq: (await r.lastEvent())!.seq,
      at: now,
      actor: 't',
      how: 'recorded',
    });
    await r.insertCompareLook({
      rolloutId: ro.id,
      step: 0,
      check: 'errors',
      at: now,
      actor: 't',
      candidate: { events: 20, trials: 10_000 },
      champion: { events: 190, trials: 95_000 },
      estimate: 0,
      radius: 0.001442804662081594,
      lower: -0.001442804662081594,
      upper: 0.001442804662081594,
      runLower: -0.001442804662081594,
      runUpper: 0.001442804662081594,
      counted: true,
      verdict: 'pass',
      better: 'lower',
      margin: 0.002,
      alpha: 0.05,
      tau: 0.002,
      minTrials: 1000,
    });
  });
}

describe.skipIf(!base)(
  'copying a whole registry between backends (skipped only without the postgresql package)',
  () => {
    it('SQLite → PostgreSQL → SQLite keeps every row, every id and the audit chain byte for byte', async () => {
      const a = SqliteRegistry.open(join(tempDir(), 'a.db'), { create: true });
      await seed(a);
      const pg = await PgRegistry.open(parsePgUrl(createDatabase(base), env), env, { create: true });
      const c = SqliteRegistry.open(join(tempDir(), 'c.db'), { create: true });
      try {
        const r1 = await copyRegistry(a, pg, { from: 'a', to: 'pg' });
        expect(r1.rows).toMatchObject({
          models: 2,
          versions: 3,
          gate_runs: 1,
          rollouts: 1,
          steps: 1,
          compare_looks: 1,
        });
        const r2 = await copyRegistry(pg, c, { from: 'pg', to: 'c' });
        expect(r2.head).toBe(r1.head);
        const want = await snapshot(a);
        expect(await snapshot(pg)).toEqual(want);
        expect(await snapshot(c)).toEqual(want);
        expect(await verifyChain(c)).toMatchObject({ ok: true, head: r1.head });
        // The copy is a working registry: new versions continue the numbering, new events the chain.
        const v3 = await pg.write(() => pg.insertVersion(newVersion('fraud', 'f'.repeat(64))));
        expect(v3.version).toBe(3);
        const e = await pg.write(() =>
          appendEvent(pg, { at: now, actor: 't', action: 'tag', model: null, subject: null, payload: {} }),
        );
        expect(e.prevHash).toBe(r1.head);
        // Never into a registry that holds data.
        await expect(copyRegistry(a, pg, { from: 'a', to: 'pg' })).rejects.toThrow(/pg already holds a registry/);
      } finally {
        await a.close();
        await pg.close();
        await c.close();
      }
    });

    it('refuses a source whose chain is broken, and leaves the target empty', async () => {
      const f = join(tempDir(), 'a.db');
      const a = SqliteRegistry.open(f, { create: true });
      await seed(a);
      await a.close();
      const db = new Database(f);
      db.exec("DROP TRIGGER events_append_only_update; UPDATE events SET actor = 'mallory' WHERE seq = 1");
      db.close();
      const src = SqliteRegistry.open(f);
      const pg = await PgRegistry.open(parsePgUrl(createDatabase(base), env), env, { create: true });
      try {
        await expect(copyRegistry(src, pg, { from: 'a.db', to: 'pg' })).rejects.toThrow(
          /a.db: the audit chain is broken at event 1 .*nothing was copied/,
        );
        expect(await pg.isEmpty()).toBe(true);
      } finally {
        await src.close();
        await pg.close();
      }
    });
  },
);
