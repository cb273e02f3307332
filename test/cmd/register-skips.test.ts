import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, tempDir, tempProject, writeModel } from '../support/helpers.js';

/**
 * Issues 11.9 and 11.10: what register never stores (git metadata, mlctl's own registry, store and
 * cache, what .mlctlignore excludes), how it treats symbolic links, and that it says what it skipped.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const json = (s: string) => JSON.parse(s);

async function project(config?: string) {
  const dir = await tempProject(config);
  dirs.push(dir);
  return dir;
}
async function storedPaths(dir: string, ref = 'fraud@1'): Promise<string[]> {
  const r = await run(['show', ref, '--json'], { cwd: dir });
  return (json(r.stdout).data.files as Array<{ path: string }>).map((f) => f.path).sort();
}

describe('register . never stores git metadata or mlctl data (11.9)', () => {
  it('skips .git/, the registry file and its -wal/-shm, the artifact store and the cache, and says so', async () => {
    const dir = await project();
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['remote', 'add', 'origin', 'https://user:s3cr3t@example.com/r.git'], { cwd: dir });
    writeModel(dir, 'model', { 'w.bin': 'weights' });
    // A first register creates the registry's -wal/-shm and the artifact store inside the project.
    expect((await run(['register', 'other', 'model'], { cwd: dir })).code).toBe(0);
    mkdirSync(join(dir, 'cache'));
    writeFileSync(join(dir, 'cache/db-1.sqlite'), 'a cached registry');
    const r = await run(['register', 'fraud', '.', '--json'], {
      cwd: dir,
      env: { MLCTL_CACHE_DIR: join(dir, 'cache') },
    });
    expect(r.code, r.stderr).toBe(0);
    const paths = await storedPaths(dir);
    expect(paths).toEqual(expect.arrayContaining(['mlctl.yaml', 'model/w.bin']));
    expect(paths.filter((p) => /^(\.git\/|\.mlctl\/registry|\.mlctl\/artifacts\/|cache\/)/.test(p))).toEqual([]);
    const excluded = json(r.stdout).data.excluded as Array<{ path: string; reason: string }>;
    expect(excluded).toEqual(
      expect.arrayContaining([
        { path: '.git', reason: 'git metadata (may hold credentials)' },
        { path: '.mlctl/registry.db', reason: "mlctl's registry" },
        { path: '.mlctl/artifacts', reason: "mlctl's artifact store" },
        { path: 'cache', reason: "mlctl's cache" },
      ]),
    );
    const human = await run(['register', 'fraud', '.', '--allow-duplicate'], {
      cwd: dir,
      env: { MLCTL_CACHE_DIR: join(dir, 'cache') },
    });
    expect(human.stderr).toMatch(/skipped \d+ path\(s\): \.git \(git metadata \(may hold credentials\)\), /);
  });

  it('a registry and store configured elsewhere in the folder are skipped too', async () => {
    const dir = await project('registry: data/reg.db\nartifacts: blobs-here\n');
    expect((await run(['init', '--yes', '--force'], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, 'mlctl.yaml'), 'registry: data/reg.db\nartifacts: blobs-here\n');
    writeModel(dir, 'model', { 'w.bin': 'weights' });
    expect((await run(['register', 'other', 'model'], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, 'data/reg.db-journal'), 'x');
    writeFileSync(join(dir, 'data/train.csv'), 'a,b\n');
    expect((await run(['register', 'fraud', '.'], { cwd: dir })).code).toBe(0);
    const paths = await storedPaths(dir);
    expect(paths).toContain('data/train.csv');
    expect(paths.filter((p) => p.startsWith('data/reg.db') || p.startsWith('blobs-here/'))).toEqual([]);
  });

  it('naming the registry file itself is refused', async () => {
    const dir = await project();
    const r = await run(['register', 'fraud', '.mlctl/registry.db'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mlctl: \.mlctl\/registry\.db is mlctl's registry; it is never stored\n$/);
  });

  it('.mlctlignore (gitignore syntax) excludes files and folders, with negation', async () => {
    const dir = await project();
    writeModel(dir, 'model', {
      'w.bin': 'weights',
      'run.log': 'noise',
      'keep.log': 'wanted',
      'tmp/scratch.bin': 'scratch',
      'sub/deep.log': 'noise',
      'sub/.mlctlignore': '!deep.log\n',
      '.mlctlignore': '*.log\n!keep.log\ntmp/\n',
    });
    const r = await run(['register', 'fraud', 'model', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(await storedPaths(dir)).toEqual(['keep.log', 'sub/deep.log', 'w.bin']);
    expect(json(r.stdout).data.excluded).toEqual(
      expect.arrayContaining([
        { path: 'model/run.log', reason: 'matched by .mlctlignore' },
        { path: 'model/tmp', reason: 'matched by .mlctlignore' },
      ]),
    );
  });
});

describe('register and symbolic links (11.10)', () => {
  it('a link leaving the folder is refused (exit 2 naming it) unless --follow-links', async () => {
    const dir = await project();
    const outside = tempDir();
    dirs.push(outside);
    writeFileSync(join(outside, 'credentials'), 'aws_secret_access_key=shh');
    mkdirSync(join(outside, 'more'));
    writeFileSync(join(outside, 'more/x.bin'), 'x');
    writeModel(dir, 'model', { 'w.bin': 'weights' });
    symlinkSync(join(outside, 'credentials'), join(dir, 'model/creds'));
    symlinkSync(join(outside, 'more'), join(dir, 'model/more'));
    const r = await run(['register', 'fraud', 'model'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^mlctl: model\/creds → .*credentials, model\/more → .*more point outside model; refusing to store/,
    );
    expect(r.stderr).toContain('--follow-links');
    expect(json((await run(['list', '--json'], { cwd: dir })).stdout).data.models).toEqual([]);
    const f = await run(['register', 'fraud', 'model', '--follow-links'], { cwd: dir });
    expect(f.code, f.stderr).toBe(0);
    expect(await storedPaths(dir)).toEqual(['creds', 'more/x.bin', 'w.bin']);
  });

  it('links inside the folder: file links stored as their targets; directory and dangling links skipped and listed', async () => {
    const dir = await project();
    writeModel(dir, 'model', { 'w.bin': 'weights', 'real/c.json': '{}' });
    symlinkSync('w.bin', join(dir, 'model/latest.bin'));
    symlinkSync('real', join(dir, 'model/alias-dir'));
    symlinkSync('nowhere.bin', join(dir, 'model/broken.bin'));
    const r = await run(['register', 'fraud', 'model', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(await storedPaths(dir)).toEqual(['latest.bin', 'real/c.json', 'w.bin']);
    expect(json(r.stdout).data.excluded).toEqual([
      { path: 'model/alias-dir', reason: 'directory link (its files are stored under their own path)' },
      { path: 'model/broken.bin', reason: 'dangling link' },
    ]);
    const pulled = await run(['pull', 'fraud@1', '--to', 'out'], { cwd: dir });
    expect(pulled.code).toBe(0);
    expect(readFileSync(join(dir, 'out/latest.bin'), 'utf8')).toBe('weights');
  });
});
