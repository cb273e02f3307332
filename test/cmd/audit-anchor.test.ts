import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { eventHash } from '../../src/core/audit/chain.js';
import { run, tempProject, writeModel } from '../support/helpers.js';
import { gitopsProject, git } from '../support/gitops-project.js';

/**
 * Issue 11.3: the chain head is recorded outside the database — in every stored manifest and in a
 * Mlctl-Audit-Head trailer on every GitOps commit — and audit verify checks the chain still holds
 * every recorded head, so cutting the tail off the log (triggers dropped) no longer goes unnoticed.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const json = (s: string) => JSON.parse(s);

/** Three registers and a tag: events 1–4; fraud@2's manifest anchors event 1, fraud@3's event 2. */
async function project() {
  const dir = await tempProject();
  dirs.push(dir);
  for (const n of [1, 2, 3]) {
    writeModel(dir, `m${n}`, { 'model.bin': `weights ${n}` });
    expect((await run(['register', 'fraud', `m${n}`], { cwd: dir })).code).toBe(0);
  }
  expect((await run(['tag', 'fraud@3', 'team=risk'], { cwd: dir })).code).toBe(0);
  return dir;
}

function cutTail(dir: string, fromSeq: number) {
  const db = new Database(join(dir, '.mlctl/registry.db'));
  db.exec('DROP TRIGGER events_append_only_delete');
  db.prepare('DELETE FROM events WHERE seq >= ?').run(fromSeq);
  db.close();
}

describe('the audit chain head is anchored outside the database', () => {
  it('every stored manifest records the head it was written after', async () => {
    const dir = await project();
    const m = (v: number) => json(readFileSync(join(dir, `.mlctl/artifacts/manifests/fraud/${v}.json`), 'utf8'));
    expect(m(1).auditHead).toBeNull();
    expect(m(3).auditHead).toEqual({ seq: 2, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const ok = await run(['audit', 'verify', '--json'], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(json(ok.stdout).data.anchors).toMatchObject({
      checked: 2,
      newest: { seq: 2, source: 'manifests/fraud/3.json' },
    });
    expect(ok.stdout).not.toContain('"problems":[{');
  });

  it('cutting the tail (triggers dropped) is caught, naming the anchor', async () => {
    const dir = await project();
    cutTail(dir, 2);
    const r = await run(['audit', 'verify'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /event 2 recorded in manifests\/fraud\/3\.json is missing: the log ends at event 1 \(events were removed from its end\)/,
    );
  });

  it('rewriting the chain with recomputed hashes is caught', async () => {
    const dir = await project();
    const db = new Database(join(dir, '.mlctl/registry.db'));
    db.exec('DROP TRIGGER events_append_only_update');
    type Row = {
      seq: number;
      at: string;
      actor: string;
      action: string;
      model: string | null;
      subject: string | null;
      payload: string;
      prev_hash: string;
    };
    const rows = db.prepare('SELECT * FROM events ORDER BY seq').all() as Row[];
    let prev = rows[0]!.prev_hash;
    for (const r of rows) {
      const payload = JSON.parse(r.payload);
      if (r.seq === 2) payload.files = 99;
      const hash = eventHash(prev, { ...r, payload });
      db.prepare('UPDATE events SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(
        JSON.stringify(payload),
        prev,
        hash,
        r.seq,
      );
      prev = hash;
    }
    db.close();
    const r = await run(['audit', 'verify', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(json(r.stdout).data.broken).toBeNull();
    expect(json(r.stdout).data.anchors.problems[0].reason).toMatch(
      /event 2 differs from the one recorded in manifests\/fraud\/3\.json: the log was rewritten from there on/,
    );
  });

  it('GitOps commits carry Mlctl-Audit-Head, and audit verify checks them', async () => {
    const p = await gitopsProject({
      adapter: 'generic',
      config: 'serving:\n  fraud: { adapter: generic, files: [deploy/fraud.yaml] }\n',
    });
    dirs.push(p.dir, p.remote);
    const r = await run(['promote', 'fraud@1', '--yes'], { cwd: p.dir });
    expect(r.code, r.stderr).toBe(0);
    const trailer = git(p.dir, 'log', '-1', '--format=%(trailers:key=Mlctl-Audit-Head,valueonly)');
    // fraud@1 and fraud@2 were registered: the head when the promotion committed was event 2.
    expect(trailer).toMatch(/^2 [0-9a-f]{64}$/);
    // Remove the stored manifests: the git trailer alone must catch the cut.
    rmSync(join(p.dir, '.mlctl/artifacts/manifests'), { recursive: true });
    cutTail(p.dir, 2);
    const v = await run(['audit', 'verify'], { cwd: p.dir });
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/event 2 recorded in commit [0-9a-f]{10} \(Mlctl-Audit-Head\) is missing/);
  });
});
