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
import { seed, snapshot } from '../support/registry-snapshot.js';

const base = inject('pgBase');
const env = { PATH: process.env.PATH, HOME: process.env.HOME };
const now = '2026-11-23T10:00:00.000Z';

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
