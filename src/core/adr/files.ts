import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { NotFoundError, UsageError } from '../errors.js';
import { closeMatches } from '../util/text.js';
import { readInputFile } from '../inputs/located-doc.js';

export interface AdrFile {
  number: number;
  file: string;
  path: string;
  title: string;
  status: string[];
  date: string | null;
  format: 'nygard' | 'madr';
}

const ADR_FILE = /^(\d+)-(.+)\.md$/;

/**
 * Where ADRs live: `adr.dir` in mlctl.yaml, else the folder named in a `.adr-dir` file found
 * walking up (adr-tools), else an existing `doc/adr`, else `docs/adr` — relative to the project root.
 */
export function resolveAdrDir(cwd: string, configured: { root: string; dir?: string } | null): string {
  if (configured?.dir) return resolve(configured.root, configured.dir);
  let dir = resolve(cwd);
  for (let i = 0; i < 256; i++) {
    const marker = join(dir, '.adr-dir');
    if (existsSync(marker)) return resolve(dir, readFileSync(marker, 'utf8').trim());
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const root = configured?.root ?? resolve(cwd);
  if (existsSync(join(root, 'doc', 'adr')) && !existsSync(join(root, 'docs', 'adr'))) return join(root, 'doc', 'adr');
  return join(root, 'docs', 'adr');
}

const MAX_SLUG_BYTES = 200;

/** Title lowercased; every run of characters other than letters and digits becomes one '-'. */
export function slugify(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  if (!slug) throw new UsageError(`title ${JSON.stringify(title)} has no letters or digits to name the file with`);
  // File names are at most 255 bytes; the slug leaves room for the number and .md.
  const bytes = Buffer.byteLength(slug);
  if (bytes > MAX_SLUG_BYTES)
    throw new UsageError(
      `the title is too long for a file name (${bytes} bytes in its slug, at most ${MAX_SLUG_BYTES}); shorten it`,
    );
  return slug;
}

export function parseAdr(path: string, file: string, number: number): AdrFile {
  const text = readInputFile(path, file);
  if (text.startsWith('---\n')) {
    const end = text.indexOf('\n---', 4);
    const fm = text.slice(4, end < 0 ? 4 : end);
    const field = (k: string) =>
      new RegExp(`^${k}:\\s*(.*)$`, 'm')
        .exec(fm)?.[1]
        ?.trim()
        .replace(/^["']|["']$/g, '') ?? null;
    const title = /^#\s+(.+)$/m.exec(text.slice(end < 0 ? 0 : end + 4))?.[1]?.trim() ?? file;
    const status = field('status');
    return { number, file, path, title, status: status ? [status] : [], date: field('date'), format: 'madr' };
  }
  const heading = /^#\s+(?:\d+\.\s+)?(.+)$/m.exec(text)?.[1]?.trim() ?? file;
  const date = /^Date:\s*(\S+)/m.exec(text)?.[1] ?? null;
  return { number, file, path, title: heading, status: statusLines(text), date, format: 'nygard' };
}

/**
 * Non-empty lines under `## Status`, up to the next heading; without that section, the
 * `- Status: …` item of the list under the title (MADR 2, as log4brains writes it).
 */
export function statusLines(text: string): string[] {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => /^##\s+Status\s*$/.test(l));
  if (i < 0) {
    const h = headerStatusIndex(lines);
    const value = h < 0 ? '' : HEADER_STATUS.exec(lines[h]!)![1]!.trim();
    return value ? [value] : [];
  }
  const out: string[] = [];
  for (let j = i + 1; j < lines.length && !/^#{1,2}\s/.test(lines[j]!); j++)
    if (lines[j]!.trim()) out.push(lines[j]!.trim());
  return out;
}

export const HEADER_STATUS = /^[-*]\s+Status:\s*(.*)$/i;

/** The line of the `- Status: …` item before the first section (MADR 2 / log4brains), or -1. */
export function headerStatusIndex(lines: string[]): number {
  for (let j = 0; j < lines.length && !/^##\s/.test(lines[j]!); j++) if (HEADER_STATUS.test(lines[j]!)) return j;
  return -1;
}

export function listAdrs(dir: string): AdrFile[] {
  if (!existsSync(dir)) return [];
  return (
    readdirSync(dir)
      .map((f) => ({ f, m: ADR_FILE.exec(f) }))
      .filter((x): x is { f: string; m: RegExpExecArray } => x.m !== null)
      // Base 10 always: 0008 and 0009 are numbers, not invalid octal.
      .map(({ f, m }) => parseAdr(join(dir, f), f, Number.parseInt(m[1]!, 10)))
      .sort((a, b) => a.number - b.number || a.file.localeCompare(b.file))
  );
}

/** A number, or a unique part of a file name. */
export function findAdr(all: AdrFile[], ref: string): AdrFile {
  if (/^\d+$/.test(ref)) {
    const n = Number.parseInt(ref, 10);
    const hits = all.filter((a) => a.number === n);
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1)
      throw new UsageError(`ADR number ${n} is ambiguous: ${hits.map((h) => h.file).join(', ')}; run 'mlctl adr lint'`);
    throw new NotFoundError(
      `no ADR number ${n}; the highest is ${all.length ? all[all.length - 1]!.number : 'none (no ADRs yet)'}`,
    );
  }
  const hits = all.filter((a) => a.file.includes(ref));
  if (hits.length === 1) return hits[0]!;
  if (hits.length > 1)
    throw new UsageError(
      `${JSON.stringify(ref)} matches several ADRs: ${hits.map((h) => h.file).join(', ')}; use a number or a longer part of the name`,
    );
  // Suggest by the closest word of each name: a typo of "record" should find "first-record".
  const names = all.map((a) => a.file.replace(/\.md$/, '').replace(/^\d+-/, ''));
  const words = [...new Set(names.flatMap((n) => n.split('-')))];
  const hitWords = new Set(closeMatches(ref, words, 5));
  const close = names.filter((n) => n.split('-').some((w) => hitWords.has(w))).slice(0, 5);
  throw new NotFoundError(`no ADR matches ${JSON.stringify(ref)}${close.length ? `; close: ${close.join(', ')}` : ''}`);
}

export function linkText(a: Pick<AdrFile, 'number' | 'title' | 'file'>): string {
  return `[${a.number}. ${a.title}](${a.file})`;
}

/** One ADR with its full text. */
export function readAdr(dir: string, ref: string): AdrFile & { text: string } {
  const a = findAdr(listAdrs(dir), ref);
  return { ...a, text: readInputFile(a.path, a.file) };
}
