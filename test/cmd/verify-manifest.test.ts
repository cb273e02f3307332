import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, tempProject, writeModel } from '../support/helpers.js';

/**
 * Issue 11.2: verify and pull recompute the manifest digest from the registry's file rows and
 * compare it with the recorded digest, the stored manifest object and the register event; a
 * tampered row that still names an existing, intact blob must not pass.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const json = (s: string) => JSON.parse(s);

async function twoVersions() {
  const dir = await tempProject();
  dirs.push(dir);
  writeModel(dir, 'good', { 'model.bin': 'good weights' });
  writeModel(dir, 'evil', { 'model.bin': 'evil weights' });
  expect((await run(['register', 'fraud', 'good'], { cwd: dir })).code).toBe(0);
  // The attacker's bytes are stored too (as another model), so every blob exists and is intact.
  expect((await run(['register', 'other', 'evil'], { cwd: dir })).code).toBe(0);
  return dir;
}
const db = (dir: string) => new Database(join(dir, '.mlctl/registry.db'));
const fraud1 =
  "(SELECT v.id FROM versions v JOIN models m ON m.id = v.model_id WHERE m.name = 'fraud' AND v.version = 1)";

async function expectCaught(dir: string, pattern: RegExp) {
  const v = await run(['verify', 'fraud@1', '--json'], { cwd: dir });
  expect(v.code).toBe(1);
  const problems = json(v.stdout).data.problems as Array<{ problem: string; detail: string }>;
  expect(problems.map((p) => p.problem)).toContain('manifest-mismatch');
  expect(problems.map((p) => p.detail).join('\n')).toMatch(pattern);
  const p = await run(['pull', 'fraud@1', '--to', 'out'], { cwd: dir });
  expect(p.code).toBe(1);
  expect(p.stderr).toMatch(/^mlctl: fraud@1's manifest does not hold: /);
  expect(p.stderr).not.toContain('all verified');
  expect(existsSync(join(dir, 'out'))).toBe(false);
}

describe('verify and pull check the manifest, not only the blobs', () => {
  it('an untouched version passes', async () => {
    const dir = await twoVersions();
    expect((await run(['verify', '--all'], { cwd: dir })).code).toBe(0);
  });

  it('a file row pointed at another intact blob is caught (digest recomputed from the rows)', async () => {
    const dir = await twoVersions();
    const d = db(dir);
    d.prepare(`UPDATE artifacts SET sha256 = ?, size = ? WHERE version_id = ${fraud1}`).run(sha('evil weights'), 12);
    d.close();
    await expectCaught(dir, /the file rows hash to sha256:[0-9a-f]{12}… but the version records sha256:[0-9a-f]{12}…/);
  });

  it('a renamed file row is caught', async () => {
    const dir = await twoVersions();
    const d = db(dir);
    d.prepare(`UPDATE artifacts SET path = 'renamed.bin' WHERE version_id = ${fraud1}`).run();
    d.close();
    await expectCaught(dir, /the file rows hash to/);
  });

  it('rows and recorded digest changed together: the stored manifest and the register event disagree', async () => {
    const dir = await twoVersions();
    const d = db(dir);
    d.prepare(`UPDATE artifacts SET sha256 = ?, size = ? WHERE version_id = ${fraud1}`).run(sha('evil weights'), 12);
    const evilDigest = d
      .prepare(
        "SELECT v.manifest_digest AS m FROM versions v JOIN models m ON m.id = v.model_id WHERE m.name = 'other'",
      )
      .get() as { m: string };
    d.prepare(`UPDATE versions SET manifest_digest = ? WHERE id = ${fraud1}`).run(evilDigest.m);
    d.close();
    await expectCaught(
      dir,
      /the stored manifest manifests\/fraud\/1\.json records sha256:[0-9a-f]{12}…, not the version's sha256:[0-9a-f]{12}…/,
    );
    const v = await run(['verify', 'fraud@1'], { cwd: dir });
    expect(v.stdout).toMatch(
      /fraud@1: \(audit log\): manifest-mismatch: the register event \(seq 1\) recorded sha256:/,
    );
  });

  it('an edited stored manifest is caught', async () => {
    const dir = await twoVersions();
    const f = join(dir, '.mlctl/artifacts/manifests/fraud/1.json');
    const m = json(readFileSync(f, 'utf8'));
    m.files[0].sha256 = sha('evil weights');
    writeFileSync(f, JSON.stringify(m));
    await expectCaught(
      dir,
      /the stored manifest manifests\/fraud\/1\.json lists model\.bin as sha256:[0-9a-f]{12}… \(12 B\); the registry has sha256:/,
    );
  });
});
