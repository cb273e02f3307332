import { describe, expect, inject, it } from 'vitest';
import { PgRegistry } from '../../src/adapters/postgres/pg-registry.js';
import { parsePgUrl } from '../../src/adapters/postgres/connection.js';
import { PG_MIGRATIONS } from '../../src/adapters/postgres/migrations.js';
import { MIGRATIONS } from '../../src/adapters/sqlite/migrations.js';
import { createDatabase, psqlAdmin } from '../support/postgres.js';
import { registryContract } from '../registry/contract.js';

const base = inject('pgBase');
const env = { PATH: process.env.PATH, HOME: process.env.HOME };

describe.skipIf(!base)('PostgreSQL registry (skipped only without the postgresql package)', () => {
  it('has one migration for each SQLite migration (the two schemas move in step)', () => {
    expect(PG_MIGRATIONS.length).toBe(MIGRATIONS.length);
  });
});

if (base)
  registryContract({
    name: 'PostgreSQL',
    open: async () => PgRegistry.open(parsePgUrl(createDatabase(base), env), env, { create: true }),
    tamperEvents: async (r, what) => {
      const url = r.location.replace(/^postgres:\/\/[^@]*@/, 'postgres://postgres@');
      try {
        psqlAdmin(
          url,
          what === 'update' ? "UPDATE events SET actor = 'mallory' WHERE seq = 1" : 'DELETE FROM events WHERE seq = 1',
        );
        return 'no error';
      } catch (err) {
        return String((err as { stderr?: Buffer }).stderr ?? err);
      }
    },
  });
