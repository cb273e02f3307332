import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SqliteRegistry } from '../../src/adapters/sqlite/sqlite-registry.js';
import { tempDir } from '../support/helpers.js';
import { registryContract } from '../registry/contract.js';

registryContract({
  name: 'SQLite file',
  open: async () => SqliteRegistry.open(join(tempDir(), 'r.db'), { create: true }),
  tamperEvents: async (r, what) => {
    const db = new Database(r.location);
    try {
      db.prepare(
        what === 'update' ? "UPDATE events SET actor = 'mallory' WHERE seq = 1" : 'DELETE FROM events WHERE seq = 1',
      ).run();
      return 'no error';
    } catch (err) {
      return (err as Error).message;
    } finally {
      db.close();
    }
  },
});
