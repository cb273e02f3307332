import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { SqliteRegistry } from '../../src/adapters/sqlite/sqlite-registry.js';
import { FsBlobStore } from '../../src/adapters/blob/fs-store.js';
import { registerVersion } from '../../src/core/registry/register.js';
import { collectGarbage } from '../../src/core/artifacts/gc.js';
import { verifyVersions } from '../../src/core/artifacts/verify.js';
import { blobKey } from '../../src/core/artifacts/layout.js';
import { pinBlobs } from '../../src/core/artifacts/pins.js';
import { StorageError } from '../../src/core/errors.js';
import { tempDir } from '../support/helpers.js';

/**
 * ADR 20, the parts a process race cannot hit on purpose: a gc that read the pins just before this
 * register pinned, and deleted a blob after register had seen it. Register's re-check under the
 * write lock must catch that, upload the blob again, and only then record the version.
 */
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const clock = { now: () => new Date('2030-01-01T00:00:00Z') };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * A real folder store where `victim` is deleted right after register's first presence check saw it
 * (a gc's deletion landing there); with `always`, it is deleted again before every later look too
 * (a gc that ignores pins and runs between each upload and each check).
 */
class DeletedAfterCheck extends FsBlobStore {
  private looked = false;
  constructor(
    root: string,
    private readonly victim: string,
    private readonly always = false,
  ) {
    super(root);
  }
  override async stat(key: string) {
    if (key !== this.victim) return super.stat(key);
    if (this.looked && this.always) await super.delete(key);
    const s = await super.stat(key);
    if (!this.looked) await super.delete(key);
    this.looked = true;
    return s;
  }
}

function setup(files: Record<string, string>) {
  const dir = tempDir();
  dirs.push(dir);
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(dir, 'model'), { recursive: true });
    writeFileSync(join(dir, 'model', p), c);
  }
  const registry = SqliteRegistry.open(join(dir, 'r.db'), { create: true });
  return { dir, registry, root: join(dir, 'artifacts') };
}

describe('register re-checks its blobs under the write lock', () => {
  it('a blob deleted after the presence check is uploaded again before the version is recorded', async () => {
    const { dir, registry, root } = setup({ 'a.bin': 'alpha', 'b.bin': 'beta' });
    // Both blobs already stored, as a register whose version is gone left them.
    const plain = new FsBlobStore(root);
    for (const c of ['alpha', 'beta']) await plain.putBytes(blobKey(sha(c)), Buffer.from(c));
    const store = new DeletedAfterCheck(root, blobKey(sha('beta')));
    const r = await registerVersion(
      { registry, store, clock, actor: 't', cwd: dir },
      { model: 'fraud', paths: ['model'] },
    );
    expect(r).toMatchObject({ ref: 'fraud@1', created: true, uploaded: { blobs: 1 } });
    expect(existsSync(join(root, blobKey(sha('beta'))))).toBe(true);
    const v = await verifyVersions({ registry, store: plain }, { refs: ['fraud@1'] });
    expect(v.problems).toEqual([]);
    // The pin is gone once the version is recorded.
    expect(existsSync(join(root, 'pins')) ? (await import('node:fs')).readdirSync(join(root, 'pins')) : []).toEqual([]);
    await registry.close();
  });

  it('blobs that keep vanishing: nothing is registered and the error says so', async () => {
    const { dir, registry, root } = setup({ 'a.bin': 'alpha' });
    const plain = new FsBlobStore(root);
    await plain.putBytes(blobKey(sha('alpha')), Buffer.from('alpha'));
    const store = new DeletedAfterCheck(root, blobKey(sha('alpha')), true);
    const err = await registerVersion(
      { registry, store, clock, actor: 't', cwd: dir },
      { model: 'fraud', paths: ['model'] },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toMatch(/blob\(s\) kept disappearing .*nothing was registered/);
    expect(await registry.versionNumbers('fraud')).toEqual([]);
    await registry.close();
  });
});

describe('gc under the write lock', () => {
  it('honours live pins, removes expired ones, and re-reads references under the lock', async () => {
    const { registry, root } = setup({});
    const store = new FsBlobStore(root);
    for (const c of ['pinned', 'orphan']) await store.putBytes(blobKey(sha(c)), Buffer.from(c));
    await pinBlobs({ store, clock, actor: 't' }, [sha('pinned')], 'test');
    // A pin left by a killed register two days ago.
    await pinBlobs(
      { store, clock: { now: () => new Date('2029-12-30T00:00:00Z') }, actor: 't' },
      [sha('orphan')],
      'old',
    );
    const r = await collectGarbage({ registry, store, clock, actor: 't' }, { dryRun: false, graceMs: 0 });
    expect(r).toMatchObject({ deleted: 1, inUse: 1, stalePins: 1, unreferenced: [{ sha256: sha('orphan') }] });
    expect(existsSync(join(root, blobKey(sha('pinned'))))).toBe(true);
    expect(existsSync(join(root, blobKey(sha('orphan'))))).toBe(false);
    const events = await registry.events({ action: 'gc' });
    expect(events.map((e) => e.payload)).toEqual([{ deleted: 1, bytes: 6, digests: [sha('orphan')], folders: [] }]);
    await registry.close();
  });

  it("keeps the partial upload of a pinned blob (a register's upload in progress), removes an unpinned one", async () => {
    const { registry, root } = setup({});
    const store = new FsBlobStore(root);
    const tmp = (c: string) => join(root, blobKey(sha(c)) + '.tmp-0123456789ab');
    for (const c of ['uploading', 'abandoned']) {
      mkdirSync(join(tmp(c), '..'), { recursive: true });
      writeFileSync(tmp(c), 'partial');
    }
    await pinBlobs({ store, clock, actor: 't' }, [sha('uploading')], 'register in progress');
    const r = await collectGarbage({ registry, store, clock, actor: 't' }, { dryRun: false, graceMs: 0 });
    expect(r.partial).toEqual({ removed: 1, bytes: 7, kept: 1 });
    expect(existsSync(tmp('uploading'))).toBe(true);
    expect(existsSync(tmp('abandoned'))).toBe(false);
    await registry.close();
  });

  it('a gc that fails half-way records what it did delete, then fails (exit 3)', async () => {
    const { registry, root } = setup({});
    let deletes = 0;
    class FailingDelete extends FsBlobStore {
      override async delete(key: string) {
        if (++deletes > 2) throw new StorageError('disk went read-only');
        return super.delete(key);
      }
    }
    const store = new FailingDelete(root);
    for (let i = 0; i < 6; i++) await store.putBytes(blobKey(sha(`b${i}`)), Buffer.from(`b${i}`));
    const err = await collectGarbage({ registry, store, clock, actor: 't' }, { dryRun: false, graceMs: 0 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toMatch(
      /^gc stopped: disk went read-only; 2 blob\(s\) deleted before that are recorded in the audit log/,
    );
    const [ev] = await registry.events({ action: 'gc' });
    const payload = ev!.payload as { deleted: number; digests: string[]; failed: string };
    expect(payload.deleted).toBe(2);
    expect(payload.failed).toBe('disk went read-only');
    for (const d of payload.digests) expect(existsSync(join(root, blobKey(d)))).toBe(false);
    await registry.close();
  });
});
