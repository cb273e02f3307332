import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * Check where a pull will write before anything is written (issue 11.5): the folder may be missing,
 * or hold nothing but this version's files; anything else needs --force, and then only the version's
 * files are replaced. Never write through a symbolic link inside the destination: a linked
 * sub-folder would take the files out of it. Returns the folder to write into.
 */
export async function prepareDestination(
  root: string,
  o: { what: string; ref: string; paths: string[]; force: boolean },
): Promise<string> {
  const top = await lstat(root).catch(() => undefined);
  if (top?.isSymbolicLink()) {
    // The destination itself was named by the user: following that one link is what they asked for.
    const target = await stat(root).catch(() => undefined);
    if (!target) throw new UsageError(`${o.what}: ${root} is a dangling symbolic link; choose another path`);
    if (!target.isDirectory()) throw new UsageError(`${o.what}: ${root} is a file, not a folder; choose another path`);
    root = await realpath(root);
  } else if (top && !top.isDirectory()) {
    throw new UsageError(`${o.what}: ${root} is a file, not a folder; choose another path`);
  }
  if (!top) return root;

  const files = new Set(o.paths);
  const folders = new Set<string>();
  for (const p of o.paths) {
    const segs = p.split('/');
    for (let i = 1; i < segs.length; i++) folders.add(segs.slice(0, i).join('/'));
  }
  const show = (rel: string) => join(o.what.replace(/^--to /, ''), rel);
  // Every folder on the way to a version file must be a real folder (or missing).
  for (const d of [...folders].sort()) {
    const s = await lstat(join(root, ...d.split('/'))).catch(() => undefined);
    if (!s || s.isDirectory()) continue;
    if (s.isSymbolicLink()) {
      const to = await readlink(join(root, ...d.split('/'))).catch(() => '?');
      throw new UsageError(
        `${o.what}: ${show(d)} is a symbolic link (to ${to}); refusing to write through it — remove it or pull elsewhere`,
      );
    }
    throw new UsageError(`${o.what}: ${show(d)} is a file where ${o.ref} needs a folder; remove it or pull elsewhere`);
  }
  for (const f of files) {
    const s = await lstat(join(root, ...f.split('/'))).catch(() => undefined);
    if (s?.isDirectory())
      throw new UsageError(`${o.what}: ${show(f)} is a folder where ${o.ref} has a file; remove it or pull elsewhere`);
  }
  if (!o.force) {
    const foreign = await firstForeign(root, root, files, folders);
    if (foreign)
      throw new UsageError(
        `${o.what}: ${root} is not empty (${foreign} is not a file of ${o.ref}); pass --force to replace the version's files in it (other files are left alone), or pull elsewhere`,
      );
  }
  return root;
}

/** The first entry (relative, '/'-separated) that is neither a version file nor a folder on the way to one. */
async function firstForeign(
  root: string,
  dir: string,
  files: Set<string>,
  folders: Set<string>,
): Promise<string | null> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const rel = relative(root, join(dir, e.name)).split(sep).join('/');
    if (e.isDirectory() && folders.has(rel)) {
      const inner = await firstForeign(root, join(dir, e.name), files, folders);
      if (inner) return inner;
    } else if (!(e.isFile() && files.has(rel))) return rel;
  }
  return null;
}
