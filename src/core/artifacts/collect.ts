import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { UsageError } from '../errors.js';
import { pathProblem } from './paths.js';
import { readInputText } from '../inputs/read-input.js';

export interface LocalFile {
  /** Path inside the version, with '/' separators. */
  path: string;
  /** Where the bytes are read from (a link's target for links that are stored). */
  abs: string;
  size: number;
}

/** Something register left out, and why (issues 11.9, 11.10). `path` is relative to the working directory. */
export interface Excluded {
  path: string;
  reason: string;
}

/** mlctl's own data, never stored: the registry file (with -wal, -shm, -journal), the artifact store, the cache. */
export interface ProtectedPath {
  path: string;
  /** "mlctl's registry", "mlctl's artifact store", "mlctl's cache". */
  what: string;
  kind: 'file' | 'folder';
}

/** mlctl's own data, never registered as a model's files: the cache, a local registry file, a local artifact store. */
export function mlctlOwnPaths(o: {
  cacheRoot: string;
  registry: string;
  artifacts: { kind: 'fs'; path: string } | { kind: 's3' };
}): ProtectedPath[] {
  const paths: ProtectedPath[] = [{ path: o.cacheRoot, what: "mlctl's cache", kind: 'folder' }];
  if (!o.registry.includes('://')) paths.push({ path: o.registry, what: "mlctl's registry", kind: 'file' });
  if (o.artifacts.kind === 'fs') paths.push({ path: o.artifacts.path, what: "mlctl's artifact store", kind: 'folder' });
  return paths;
}

export interface CollectOptions {
  protect?: ProtectedPath[];
  /** Store what links leaving a registered folder point to, instead of refusing them. */
  followLinks?: boolean;
  /**
   * Dataset hashing (--data): every file as found, file links followed wherever they point,
   * nothing excluded — a dataset's digest must not change with these rules.
   */
  raw?: boolean;
}

export const IGNORE_FILE = '.mlctlignore';
const MAX_FILES = 1_000_000;
const GIT_REASON = 'git metadata (may hold credentials)';

/**
 * Files to register: a file keeps its name; a folder contributes every file under it with its
 * relative path, except git metadata, mlctl's own data, what `.mlctlignore` files (gitignore syntax,
 * each applying to its folder) exclude, directory links and dangling links — all reported. A link
 * to a file inside the folder is stored as that file's content under the link's name; a link
 * leaving the folder is refused unless `followLinks` (a link can carry a secret out of the folder).
 */
export async function collectFiles(
  paths: string[],
  cwd: string,
  opts: CollectOptions = {},
): Promise<{ files: LocalFile[]; excluded: Excluded[] }> {
  if (paths.length === 0) throw new UsageError('register needs at least one file or folder to store');
  const out: LocalFile[] = [];
  const excluded: Excluded[] = [];
  const seen = new Map<string, string>();
  const protect = await protectedSet(opts.protect ?? []);
  const show = (abs: string) => relative(cwd, abs).split(sep).join('/') || '.';
  const add = (f: LocalFile, from: string, shown: string) => {
    const why = pathProblem(f.path);
    if (why)
      throw new UsageError(
        `${shown}: cannot be stored as ${JSON.stringify(f.path)}: ${why}; rename it (a version's paths must be pullable on every system)`,
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
    const real = await realpath(abs);
    if (!opts.raw) {
      const own = protect.match(real) ?? (basename(real) === '.git' ? GIT_REASON : undefined);
      if (own) throw new UsageError(`${p} is ${own.replace(/ \(.*\)$/, '')}; it is never stored`);
    }
    if (s.isFile()) add({ path: basename(abs), abs, size: s.size }, p, p);
    else if (s.isDirectory()) {
      const before = out.length;
      const outside: string[] = [];
      const walker: Walker = {
        root: real,
        shownRoot: abs,
        opts,
        protect,
        show,
        visited: new Set([real]),
        add: (f, shown) => add(f, p, shown),
        exclude: (e) => excluded.push(e),
        outside: (l) => outside.push(l),
      };
      await walk(walker, real, abs, '', []);
      if (outside.length)
        throw new UsageError(
          `${outside.join(', ')} point${outside.length === 1 ? 's' : ''} outside ${p}; refusing to store ${outside.length === 1 ? 'it' : 'them'} (a link can carry a secret out of the folder) — remove ${outside.length === 1 ? 'it' : 'them'}, or pass --follow-links to store what ${outside.length === 1 ? 'it points' : 'they point'} to`,
        );
      if (out.length === before) throw new UsageError(`${p}: folder has no files to register`);
    } else throw new UsageError(`${p}: not a regular file or folder`);
  }
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  excluded.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files: out, excluded };
}

interface Walker {
  root: string;
  shownRoot: string;
  opts: CollectOptions;
  protect: ProtectedSet;
  show(abs: string): string;
  /** Real paths of folders walked, so that followed links cannot loop. */
  visited: Set<string>;
  add(f: LocalFile, shown: string): void;
  exclude(e: Excluded): void;
  outside(link: string): void;
}

interface Matcher {
  base: string;
  ig: Ignore;
}

/** `dir` is the real folder read; `shownDir` where it appears to the user; `rel` its path inside the version. */
async function walk(w: Walker, dir: string, shownDir: string, rel: string, matchers: Matcher[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  const here = w.opts.raw ? null : await readIgnore(join(dir, IGNORE_FILE), rel);
  const rules = here ? [...matchers, here] : matchers;
  for (const e of entries) {
    const abs = join(dir, e.name);
    const shown = w.show(join(shownDir, e.name));
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (w.opts.raw) {
      await rawEntry(w, e, abs, shown, path, shownDir);
      continue;
    }
    if (e.name === '.git') {
      w.exclude({ path: shown, reason: GIT_REASON });
      continue;
    }
    if (e.name === IGNORE_FILE && e.isFile()) {
      w.exclude({ path: shown, reason: 'ignore rules for mlctl' });
      continue;
    }
    const own = w.protect.match(abs);
    if (own) {
      w.exclude({ path: shown, reason: own });
      continue;
    }
    if (ignored(rules, path, e.isDirectory())) {
      w.exclude({ path: shown, reason: `matched by ${IGNORE_FILE}` });
      continue;
    }
    if (e.isDirectory()) {
      w.visited.add(abs);
      await walk(w, abs, join(shownDir, e.name), path, rules);
    } else if (e.isFile()) {
      w.add({ path, abs, size: (await stat(abs)).size }, shown);
    } else if (e.isSymbolicLink()) {
      await link(w, abs, shown, path, shownDir, e.name, rules);
    } else w.exclude({ path: shown, reason: 'not a regular file (socket, FIFO or device)' });
  }
}

async function link(
  w: Walker,
  abs: string,
  shown: string,
  path: string,
  shownDir: string,
  name: string,
  rules: Matcher[],
): Promise<void> {
  const target = await realpath(abs).catch(() => undefined);
  const s = target ? await stat(target).catch(() => undefined) : undefined;
  if (!target || !s) return w.exclude({ path: shown, reason: 'dangling link' });
  const own = w.protect.match(target) ?? (basename(target) === '.git' ? GIT_REASON : undefined);
  if (own) return w.exclude({ path: shown, reason: `link to ${own}` });
  const inside = target === w.root || target.startsWith(w.root + sep);
  if (!inside && !w.opts.followLinks) return w.outside(`${shown} → ${target}`);
  if (s.isFile()) return w.add({ path, abs: target, size: s.size }, shown);
  if (!s.isDirectory()) return w.exclude({ path: shown, reason: 'link to something other than a file or folder' });
  // A folder inside is stored under its own path already; following the link would store it twice
  // (or forever, for a link to a parent).
  if (inside) return w.exclude({ path: shown, reason: 'directory link (its files are stored under their own path)' });
  if (w.visited.has(target)) return w.exclude({ path: shown, reason: 'directory link already followed (a loop)' });
  w.visited.add(target);
  await walk(w, target, join(shownDir, name), path, rules);
}

/** --data: the listing as it always was, so dataset digests stay stable. */
async function rawEntry(
  w: Walker,
  e: { name: string; isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean },
  abs: string,
  shown: string,
  path: string,
  shownDir: string,
): Promise<void> {
  const s = e.isSymbolicLink() ? await stat(abs).catch(() => undefined) : undefined;
  if (e.isDirectory()) await walk(w, abs, join(shownDir, e.name), path, []);
  else if (e.isFile() || s?.isFile()) w.add({ path, abs, size: s?.size ?? (await stat(abs)).size }, shown);
}

async function readIgnore(file: string, base: string): Promise<Matcher | null> {
  const s = await lstat(file).catch(() => undefined);
  if (!s?.isFile()) return null;
  return { base, ig: ignore().add(await readInputText(file, file)) };
}

/** gitignore semantics across nested files: the deepest rule that decides wins. */
function ignored(rules: Matcher[], path: string, isDir: boolean): boolean {
  let out = false;
  for (const m of rules) {
    const rel = m.base ? path.slice(m.base.length + 1) : path;
    const t = m.ig.test(isDir ? `${rel}/` : rel);
    if (t.ignored) out = true;
    else if (t.unignored) out = false;
  }
  return out;
}

interface ProtectedSet {
  /** What `realPath` is, when it is mlctl's own data. */
  match(realPath: string): string | undefined;
}

async function protectedSet(list: ProtectedPath[]): Promise<ProtectedSet> {
  const exact = new Map<string, string>();
  for (const p of list) {
    const abs = await realpath(p.path).catch(() => resolve(p.path));
    exact.set(abs, p.what);
    if (p.kind === 'file')
      for (const suffix of ['-wal', '-shm', '-journal'])
        exact.set(`${abs}${suffix}`, `${p.what} (${suffix.slice(1)} file)`);
  }
  return { match: (real) => exact.get(real) };
}
