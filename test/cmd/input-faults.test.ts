import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, tempDir, tempProject, writeModel } from '../support/helpers.js';

/**
 * Issue 11.15: input at fault is exit 2 with one clear line and nothing written — never exit 3
 * "unexpected error", never an orphan blob in the artifact store.
 */
const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
  'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
  '',
].join('\n');

/** Every file under the artifact store (blobs and manifests). */
function storedFiles(dir: string): string[] {
  const root = join(dir, '.mlctl/artifacts');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('YAML inputs that would exhaust or loop (11.15)', () => {
  it('a --config with a circular alias: exit 2 naming the file and line, no blob uploaded', async () => {
    const dir = await tempProject();
    writeModel(dir, 'model', { 'w.bin': 'weights' });
    writeFileSync(join(dir, 'train.yaml'), 'lr: 0.1\nlayers: &layers\n  - 64\n  - *layers\n');
    const r = await run(['register', 'fraud', 'model', '--config', 'train.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toBe(
      'mlctl: train.yaml: the alias *layers refers to the node that contains it (line 4); a configuration must be a tree, write the values out',
    );
    expect(storedFiles(dir)).toEqual([]);
  });

  it('a "billion laughs" --config: exit 2, nothing uploaded', async () => {
    const dir = await tempProject();
    writeModel(dir, 'model', { 'w.bin': 'weights' });
    writeFileSync(join(dir, 'train.yaml'), BILLION_LAUGHS);
    const r = await run(['register', 'fraud', 'model', '--config', 'train.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^mlctl: train\.yaml: aliases expand to more than \d+ nodes \(line \d+\); write the values out instead of nesting aliases$/,
    );
    expect(storedFiles(dir)).toEqual([]);
  });

  it('the same in mlctl.yaml and in the gate policy', async () => {
    const dir = await tempProject();
    writeFileSync(join(dir, 'mlctl.yaml'), `registry: .mlctl/registry.db\n${BILLION_LAUGHS.replace(/^/gm, '# ')}`);
    writeFileSync(join(dir, 'gates.yaml'), `gates:\n  - { id: f, metric: auc, min: 0.5 }\nx: &x [*x]\n`);
    const lint = await run(['gate', 'lint'], { cwd: dir });
    expect(lint.code, lint.stderr).toBe(2);
    expect(lint.stdout + lint.stderr).not.toMatch(/unexpected error/);
    writeFileSync(join(dir, 'mlctl.yaml'), `registry: .mlctl/registry.db\n${BILLION_LAUGHS}`);
    const list = await run(['list'], { cwd: dir });
    expect(list.code, list.stderr).toBe(2);
    expect(list.stderr).toMatch(/^mlctl: \S*mlctl\.yaml: aliases expand to more than/);
  });
});

describe('adr new with a title too long for a file name (11.15)', () => {
  it('exit 2 with a clear line, nothing written', async () => {
    const dir = tempDir();
    const title = 'Use a very long title '.repeat(20).trim();
    const r = await run(['adr', 'new', title], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^mlctl: the title is too long for a file name \(\d+ bytes in its slug, at most 200\); shorten it$/,
    );
    expect(existsSync(join(dir, 'docs/adr')) ? readdirSync(join(dir, 'docs/adr')) : []).toEqual([]);
  });
});
