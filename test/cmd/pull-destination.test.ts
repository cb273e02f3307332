import { afterEach, describe, expect, it } from 'vitest';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { run, tempDir, tempProject, writeModel } from '../support/helpers.js';

/** Issue 11.5: one path rule for register, verify and pull; pull --to never mixes, follows links out or crashes. */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
async function project(files: Record<string, string>) {
  const dir = await tempProject();
  dirs.push(dir);
  writeModel(dir, 'model', files);
  const r = await run(['register', 'fraud', 'model'], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

describe('one path rule', () => {
  it('names made of dots (..dots, ..., a..b) register, verify and pull', async () => {
    const dir = await project({ '..dots': 'one', '...': 'two', 'a..b/..c': 'three' });
    expect((await run(['verify', 'fraud@1'], { cwd: dir })).code).toBe(0);
    const r = await run(['pull', 'fraud@1', '--to', 'out'], { cwd: dir });
    expect(r.stderr).toMatch(/^pulled fraud@1: 3 file\(s\) downloaded/);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'out/..dots'), 'utf8')).toBe('one');
    expect(readFileSync(join(dir, 'out/...'), 'utf8')).toBe('two');
    expect(readFileSync(join(dir, 'out/a..b/..c'), 'utf8')).toBe('three');
  });

  it('a file name that could not be pulled everywhere is refused at register, naming it', async () => {
    const dir = await tempProject();
    dirs.push(dir);
    writeModel(dir, 'model', { 'ok.bin': 'x', 'win\\dows.bin': 'y' });
    const r = await run(['register', 'fraud', 'model'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^mlctl: model\/win\\dows\.bin: cannot be stored as "win\\\\dows\.bin": it contains a backslash/,
    );
    expect(JSON.parse((await run(['list', '--json'], { cwd: dir })).stdout).data.models).toEqual([]);
  });

  it('verify names a tampered path that pull would refuse', async () => {
    const dir = await project({ 'w.bin': 'w' });
    const db = new Database(join(dir, '.mlctl/registry.db'));
    db.prepare("UPDATE artifacts SET path = 'a/../../w.bin'").run();
    db.close();
    const v = await run(['verify', 'fraud@1'], { cwd: dir });
    expect(v.code).toBe(1);
    expect(v.stdout).toContain(
      "fraud@1: a/../../w.bin: unsafe-path: the path cannot be pulled safely: it has a '..' segment\n",
    );
    const p = await run(['pull', 'fraud@1', '--to', 'out'], { cwd: dir });
    expect(p.code).toBe(2);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('pull --to', () => {
  it("refuses --to '' (it would pull into the working directory)", async () => {
    const dir = await project({ 'w.bin': 'w' });
    const r = await run(['pull', 'fraud@1', '--to', ''], { cwd: dir });
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(/^mlctl: --to needs a folder path/);
  });

  it('refuses an existing file as destination with one clear line', async () => {
    const dir = await project({ 'w.bin': 'w' });
    writeFileSync(join(dir, 'taken'), 'mine');
    const r = await run(['pull', 'fraud@1', '--to', 'taken'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mlctl: --to taken: .* is a file, not a folder; choose another path\n$/);
    expect(readFileSync(join(dir, 'taken'), 'utf8')).toBe('mine');
  });

  it('refuses a folder holding other files unless --force, then replaces only the version files', async () => {
    const dir = await project({ 'w.bin': 'new weights', 'sub/c.json': '{}' });
    mkdirSync(join(dir, 'dest/sub'), { recursive: true });
    writeFileSync(join(dir, 'dest/notes.txt'), 'keep me');
    writeFileSync(join(dir, 'dest/w.bin'), 'old weights');
    const r = await run(['pull', 'fraud@1', '--to', 'dest'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^mlctl: --to dest: .*dest is not empty \(notes\.txt is not a file of fraud@1\); pass --force to replace the version's files in it/,
    );
    expect(readFileSync(join(dir, 'dest/w.bin'), 'utf8')).toBe('old weights');
    const f = await run(['pull', 'fraud@1', '--to', 'dest', '--force'], { cwd: dir });
    expect(f.code).toBe(0);
    expect(readFileSync(join(dir, 'dest/w.bin'), 'utf8')).toBe('new weights');
    expect(readFileSync(join(dir, 'dest/notes.txt'), 'utf8')).toBe('keep me');
    // Pulling again into a folder that holds only this version's files needs no --force.
    rmSync(join(dir, 'dest/notes.txt'));
    const clean = await run(['pull', 'fraud@1', '--to', 'dest'], { cwd: dir });
    expect(clean.stderr).toMatch(/0 file\(s\) downloaded .*2 already up to date/);
  });

  it('never follows a symlinked sub-folder out of the destination, even with --force', async () => {
    const dir = await project({ 'sub/w.bin': 'weights' });
    const outside = tempDir();
    dirs.push(outside);
    mkdirSync(join(dir, 'dest'));
    symlinkSync(outside, join(dir, 'dest/sub'));
    for (const force of [[], ['--force']]) {
      const r = await run(['pull', 'fraud@1', '--to', 'dest', ...force], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/dest\/sub is a symbolic link .*; refusing to write through it/);
      expect(readdirSync(outside)).toEqual([]);
    }
  });

  it('--force replaces a symlinked file with the real file; the link target is untouched', async () => {
    const dir = await project({ 'w.bin': 'weights' });
    const outside = tempDir();
    dirs.push(outside);
    writeFileSync(join(outside, 'secret'), 'do not touch');
    mkdirSync(join(dir, 'dest'));
    symlinkSync(join(outside, 'secret'), join(dir, 'dest/w.bin'));
    const r = await run(['pull', 'fraud@1', '--to', 'dest', '--force'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(lstatSync(join(dir, 'dest/w.bin')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(dir, 'dest/w.bin'), 'utf8')).toBe('weights');
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('do not touch');
    expect(existsSync(join(dir, 'dest'))).toBe(true);
  });
});
