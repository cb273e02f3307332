import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { pathProblem } from './paths.js';
import { UsageError } from '../errors.js';

export interface LocalFile {
  /** Path inside the version, with '/' separators. */
  path: string;
  abs: string;
  size: number;
}

const MAX_FILES = 1_000_000;

/** Files to register: a file keeps its name; a folder contributes every file under it with its relative path. */
export async function collectFiles(paths: string[], cwd: string): Promise<LocalFile[]> {
  if (paths.length === 0) throw new UsageError('register needs at least one file or folder to store');
  const out: LocalFile[] = [];
  const seen = new Map<string, string>();
  const add = (f: LocalFile, from: string) => {
    const why = pathProblem(f.path);
    if (why)
      throw new UsageError(
        `${relative(cwd, f.abs) || f.abs}: cannot be stored as ${JSON.stringify(f.path)}: ${why}; rename it (a version's paths must be pullable on every system)`,
      );
    const prev = seen.get(f.path);
    if (prev !== undefined) {
      throw new UsageError(
        `two inputs would both be stored as ${JSON.stringify(f.path)} (from ${prev} and ${from}); rename one or register their common folder`,
      );
    }
    seen.set(f.path, from);
    out.push(f);
    if (out.length > MAX_FILES) throw new UsageError(`more than ${MAX_FILES} files; register an archive instead`);
  };
  for (const p of paths) {
    const abs = resolve(cwd, p);
    let s;
    try {
      s = await stat(abs);
    } catch {
      throw new UsageError(`${p}: no such file or folder; check the path`);
    }
    if (s.isFile()) add({ path: basename(abs), abs, size: s.size }, p);
    else if (s.isDirectory()) {
      const before = out.length;
      await walk(abs, '', (f) => add(f, p));
      if (out.length === before) throw new UsageError(`${p}: folder has no files to register`);
    } else throw new UsageError(`${p}: not a regular file or folder`);
  }
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

async function walk(dir: string, rel: string, add: (f: LocalFile) => void): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const abs = join(dir, e.name);
    const path = rel ? `${rel}/${e.name}` : e.name;
    // Follow links to files only: a linked folder could loop or escape the tree.
    const s = e.isSymbolicLink() ? await stat(abs).catch(() => undefined) : undefined;
    if (e.isDirectory()) await walk(abs, path, add);
    else if (e.isFile() || s?.isFile()) add({ path, abs, size: s?.size ?? (await stat(abs)).size });
  }
}
