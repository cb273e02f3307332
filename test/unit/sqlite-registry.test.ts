import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { SqliteRegistry } from '../../src/adapters/sqlite/sqlite-registry.js';
import { appendEvent, eventHash, GENESIS_HASH } from '../../src/core/audit/chain.js';
import { MIGRATIONS } from '../../src/adapters/sqlite/migrations.js';
import { tempDir } from '../support/helpers.js';

const now = '2026-11-23T10:00:00.000Z';

function newVersion(model: string, sha = 'a'.repeat(64)) {
  return {
    model,
    status: 'registered' as const,
    manifestDigest: `sha256:${sha}`,
    artifacts: [{ path: 'm.bin', size: 3, sha256: sha }],
    metrics: [{ name: 'auc', value: 0.9, slice: null }],
    dataset: { digest: null, name: null },
    dataHash: null,
    code: null,
    config: { lr: 0.1 },
    featureSchema: null,
    requirements: null,
    parentId: null,
    tags: { team: 'risk' },
    description: null,
    createdAt: now,
    createdBy: 't',
  };
}

describe('SQLite registry', () => {
  it('refuses a missing file for read commands and creates it for writes', async () => {
    const f = join(tempDir(), 'sub', 'r.db');
    expect(() => SqliteRegistry.open(f)).toThrow(/does not exist; run 'mlctl init --yes'/);
    const r = SqliteRegistry.open(f, { create: true });
    await r.close();
    const db = new Database(f);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('migration 5 names the rollouts of an older registry by their id (the Mlctl-Rollout they were committed with)', async () => {
    const f = join(tempDir(), 'old.db');
    const db = new Database(f);
    for (let v = 0; v < 4; v++) db.exec(MIGRATIONS[v]!);
    db.pragma('user_version = 4');
    db.exec(`INSERT INTO models(id, name, created_at, created_by) VALUES (1, 'm', '${now}', 't');
      INSERT INTO versions(id, model_id, version, status, manifest_digest, file_count, total_size, created_at, created_by)
        VALUES (1, 1, 1, 'staging', 'sha256:x', 0, 0, '${now}', 't');
      INSERT INTO rollouts(id, model, candidate_id, plan_name, plan, step, state, step_started_at, candidate_uri, started_at, started_by, updated_at)
        VALUES (7, 'm', 1, 'p', '[]', 0, 'active', '${now}', 'u', '${now}', 't', '${now}')`);
    db.close();
    const r = SqliteRegistry.open(f, { create: true });
    try {
      expect((await r.getRollout(7))?.key).toBe('7');
      expect(await r.lastStep({ model: 'm' })).toBeUndefined();
    } finally {
      await r.close();
    }
  });

  it('numbers versions per model and never inside a rolled-back write', async () => {
    const r = SqliteRegistry.open(join(tempDir(), 'r.db'), { create: true });
    await r.write(() => r.insertVersion(newVersion('a')));
    await expect(
      r.write(async () => {
        await r.insertVersion(newVersion('a', 'b'.repeat(64)));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await r.write(() => r.insertVersion(newVersion('a', 'c'.repeat(64))));
    await r.write(() => r.insertVersion(newVersion('b')));
    expect(await r.versionNumbers('a')).toEqual([1, 2]);
    expect((await r.getVersion('a', 2))?.manifestDigest).toBe(`sha256:${'c'.repeat(64)}`);
    expect(await r.versionNumbers('b')).toEqual([1]);
    expect(await r.tags((await r.getVersion('a', 1))!.id)).toEqual({ team: 'risk' });
    await r.close();
  });

  it('chains events and the table refuses UPDATE and DELETE', async () => {
    const f = join(tempDir(), 'r.db');
    const r = SqliteRegistry.open(f, { create: true });
    const e1 = await r.write(
      async () =>
        await appendEvent(r, {
          at: now,
          actor: 't',
          action: 'register',
          model: 'a',
          subject: 'a@1',
          payload: { x: 1 },
        }),
    );
    const e2 = await r.write(
      async () => await appendEvent(r, { at: now, actor: 't', action: 'tag', model: 'a', subject: 'a@1', payload: {} }),
    );
    expect(e1.prevHash).toBe(GENESIS_HASH);
    expect(e2.prevHash).toBe(e1.hash);
    expect(e2.hash).toBe(eventHash(e1.hash, { ...e2 }));
    expect(eventHash(e1.hash, { ...e2, actor: 'mallory' })).not.toBe(e2.hash);
    await r.close();
    const db = new Database(f);
    expect(() => db.prepare("UPDATE events SET actor = 'mallory' WHERE seq = 1").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM events WHERE seq = 1').run()).toThrow(/append-only/);
    db.close();
  });

  it('refuses a registry from a newer mlctl', () => {
    const f = join(tempDir(), 'r.db');
    const db = new Database(f);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => SqliteRegistry.open(f)).toThrow(/newer than this mlctl understands/);
  });

  it('says so when the file is not a database', () => {
    const f = join(tempDir(), 'r.db');
    writeFileSync(f, 'not a database at all, just text'.repeat(200));
    expect(() => SqliteRegistry.open(f)).toThrow(
      /^registry .*r\.db is not an SQLite database, or its first page is damaged \(SQLITE_NOTADB\); keep the damaged file aside and restore/,
    );
  });
});

describe('event envelope text', () => {
  it('matches canonical JSON of the event exactly, so the fast verification path is sound', async () => {
    const { envelopeText } = await import('../../src/core/audit/chain.js');
    const { canonicalJson } = await import('../../src/core/canonical-json.js');
    const e = {
      seq: 7,
      at: '2026-01-01T00:00:00.000Z',
      actor: 'a "quoted" \\ actor',
      action: 'tag',
      model: null,
      subject: 'm@1',
      payload: { z: [1, { b: 2, a: 'é\n' }], a: null },
    };
    expect(envelopeText(e, canonicalJson(e.payload))).toBe(
      canonicalJson({
        seq: e.seq,
        at: e.at,
        actor: e.actor,
        action: e.action,
        model: e.model,
        subject: e.subject,
        payload: e.payload,
      }),
    );
  });
});

describe('chain rows built by SQLite', () => {
  it('render the same envelope text as core, including quotes, backslashes, unicode and nulls', async () => {
    const { envelopeText } = await import('../../src/core/audit/chain.js');
    const { canonicalJson } = await import('../../src/core/canonical-json.js');
    const r = SqliteRegistry.open(join(tempDir(), 'r.db'), { create: true });
    const events = [
      { at: now, actor: 'a "q" \\ é ✓', action: 'tag', model: null, subject: null, payload: { b: 1, a: ['x'] } },
      { at: now, actor: 'line\nbreak\ttab', action: 'register', model: 'm', subject: 'm@1', payload: null },
    ];
    for (const e of events) await r.write(async () => await appendEvent(r, e));
    const rows: Array<[number, string, string]> = [];
    for await (const batch of r.chainRows()) rows.push(...batch);
    rows.forEach(([seq, text], i) =>
      expect(text).toBe(envelopeText({ ...events[i]!, seq }, canonicalJson(events[i]!.payload))),
    );
    await r.close();
  });
});
