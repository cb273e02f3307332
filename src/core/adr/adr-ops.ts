import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError, UsageError } from '../errors.js';
import { atomicWrite } from '../util/atomic-write.js';
import { findAdr, linkText, listAdrs, slugify, type AdrFile } from './files.js';
import { addStatusLine, appendLog, replaceAcceptance, setStatus } from './edit.js';

export type AdrTemplate = 'nygard' | 'madr';

export interface AdrContext {
  dir: string;
  /** Built-in templates (the package's templates/adr) and the project's overrides (<root>/templates/adr). */
  templateDirs: string[];
  now: Date;
  actor: string;
}

export interface NewAdrInput {
  title: string;
  supersedes?: string[];
  links?: string[];
  status?: 'proposed' | 'accepted';
  template?: AdrTemplate;
  /** Extra Markdown for the body (auto-recorded decisions fill Context/Decision/Consequences). */
  sections?: { context?: string; decision?: string; consequences?: string };
  /** Called with each file before it is created or changed (a rollout step's journal snapshots it). */
  touch?: (path: string) => void;
}

/**
 * Numbers are allocated under a lock file in the ADR folder, so two processes creating ADRs at once
 * get different numbers. A lock older than 30 s is from a crashed process and is taken over.
 */
export async function withAdrLock<T>(dir: string, fn: () => T): Promise<T> {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, '.mlctl-adr.lock');
  for (let attempt = 0; attempt < 400; attempt++) {
    try {
      closeSync(openSync(lock, 'wx'));
      try {
        return fn();
      } finally {
        rmSync(lock, { force: true });
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(lock).mtimeMs > 30_000) rmSync(lock, { force: true });
      } catch {
        // removed meanwhile
      }
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
    }
  }
  throw new StorageError(
    `could not lock ${dir} to number a new ADR (another mlctl holds ${lock}); retry, or remove the file if no mlctl is running`,
  );
}

function loadTemplate(ctx: AdrContext, name: AdrTemplate): string {
  for (const d of [...ctx.templateDirs].reverse()) {
    const f = join(d, `${name}.md`);
    if (existsSync(f)) return readFileSync(f, 'utf8');
  }
  throw new UsageError(`no ${name} ADR template found in ${ctx.templateDirs.join(' or ')}`);
}

function parseLinkSpec(spec: string): { ref: string; link: string; reverse: string } {
  const parts = spec.split(':');
  if (parts.length !== 3 || parts.some((p) => !p.trim())) {
    throw new UsageError(`-l ${JSON.stringify(spec)}: expected "REF:LINK:REVERSE-LINK", e.g. "3:Amends:Amended by"`);
  }
  return { ref: parts[0]!.trim(), link: parts[1]!.trim(), reverse: parts[2]!.trim() };
}

export interface NewAdrResult {
  number: number;
  file: string;
  path: string;
  title: string;
  superseded: string[];
  linked: string[];
}

export async function newAdr(ctx: AdrContext, input: NewAdrInput): Promise<NewAdrResult> {
  const title = input.title.trim().replace(/\s+/g, ' ');
  const slug = slugify(title);
  const links = (input.links ?? []).map(parseLinkSpec);
  const template = input.template ?? 'nygard';
  return withAdrLock(ctx.dir, () => {
    const all = listAdrs(ctx.dir);
    // Resolve every reference before writing anything.
    const superseded = (input.supersedes ?? []).map((r) => findAdr(all, r));
    const linked = links.map((l) => ({ ...l, target: findAdr(all, l.ref) }));
    const number = (all.length ? Math.max(...all.map((a) => a.number)) : 0) + 1;
    const file = `${String(number).padStart(4, '0')}-${slug}.md`;
    const path = join(ctx.dir, file);
    const me = { number, title, file };
    const status = input.status === 'proposed' ? 'Proposed' : 'Accepted';
    let text = loadTemplate(ctx, template)
      .replaceAll('{{number}}', String(number))
      .replaceAll('{{title}}', title)
      .replaceAll('{{date}}', ctx.now.toISOString().slice(0, 10))
      .replaceAll('{{status}}', template === 'madr' ? status.toLowerCase() : status)
      .replaceAll('{{actor}}', ctx.actor)
      .replaceAll(
        '{{context}}',
        input.sections?.context ?? 'What is the issue that we are seeing that is motivating this decision or change?',
      )
      .replaceAll('{{decision}}', input.sections?.decision ?? 'What is the change that we are proposing and/or doing?')
      .replaceAll(
        '{{consequences}}',
        input.sections?.consequences ?? 'What becomes easier or more difficult to do because of this change?',
      );
    for (const s of superseded) text = addStatusLine(text, `Supersedes ${linkText(s)}`);
    for (const l of linked) text = addStatusLine(text, `${l.link} ${linkText(l.target)}`);
    for (const p of [path, ...superseded.map((s) => s.path), ...linked.map((l) => l.target.path)]) input.touch?.(p);
    writeFileSync(path, text, { flag: 'wx' });
    for (const s of superseded)
      atomicWrite(s.path, replaceAcceptance(readFileSync(s.path, 'utf8'), `Superseded by ${linkText(me)}`));
    for (const l of linked)
      atomicWrite(l.target.path, addStatusLine(readFileSync(l.target.path, 'utf8'), `${l.reverse} ${linkText(me)}`));
    return {
      number,
      file,
      path,
      title,
      superseded: superseded.map((s) => s.file),
      linked: linked.map((l) => l.target.file),
    };
  });
}

export async function linkAdrs(ctx: AdrContext, src: string, link: string, tgt: string, reverse: string) {
  if (!link.trim() || !reverse.trim())
    throw new UsageError('give both a link text and a reverse-link text, e.g. mlctl adr link 3 Amends 1 "Amended by"');
  return withAdrLock(ctx.dir, () => {
    const all = listAdrs(ctx.dir);
    const a = findAdr(all, src);
    const b = findAdr(all, tgt);
    atomicWrite(a.path, addStatusLine(readFileSync(a.path, 'utf8'), `${link} ${linkText(b)}`));
    atomicWrite(b.path, addStatusLine(readFileSync(b.path, 'utf8'), `${reverse} ${linkText(a)}`));
    return { source: a.file, target: b.file, link, reverse };
  });
}

/** Set the status word of an ADR and optionally append a line (used by rollouts: each stage, outcome). */
export async function updateAdr(
  ctx: AdrContext,
  ref: string,
  change: { status?: string; append?: string[]; log?: string[] },
) {
  return withAdrLock(ctx.dir, () => {
    const a = findAdr(listAdrs(ctx.dir), ref);
    let text = readFileSync(a.path, 'utf8');
    if (change.status) text = setStatus(text, change.status);
    for (const l of change.append ?? []) text = addStatusLine(text, l);
    for (const l of change.log ?? []) text = appendLog(text, l);
    atomicWrite(a.path, text);
    return { file: a.file, path: a.path };
  });
}

/** "Superseded by [...]", or adr-tools' old spelling "Superceded by", as a line or a list item. */
const SUPERSEDED_BY = /^(?:[-*]\s+)?super[sc]eded by\b/i;

/**
 * The ADR's status word. A "Superseded by" link anywhere in the Status section makes it
 * superseded, whatever line comes first (an "Accepted" left above the link, a "Proposed" that was
 * never removed): adr-tools and log4brains read it so.
 */
export function primaryStatus(a: AdrFile): string {
  if (a.status.some((s) => SUPERSEDED_BY.test(s))) return a.format === 'madr' ? 'superseded' : 'Superseded';
  const first = a.status.find((s) => !/\[.*\]\(.*\)/.test(s)) ?? a.status[0] ?? '';
  return first.split(/\s+/)[0] ?? '';
}

/** A Markdown table of contents. */
export function adrToc(dir: string): string {
  const all = listAdrs(dir);
  return `# Architecture Decision Records\n\n${all.map((a) => `* [${a.number}. ${a.title}](${a.file})`).join('\n')}\n`;
}

/** Graphviz dot: nodes in order, supersede and link edges. */
export function adrGraph(dir: string): string {
  const all = listAdrs(dir);
  const byFile = new Map(all.map((a) => [a.file, a]));
  const q = (s: string) => JSON.stringify(s);
  const lines = ['digraph {', '  node [shape=plaintext];', '  subgraph {'];
  for (const a of all)
    lines.push(`    _${a.number} [label=${q(`${a.number}. ${a.title}`)}; URL=${q(a.file.replace(/\.md$/, '.html'))}];`);
  for (let i = 1; i < all.length; i++)
    lines.push(`    _${all[i - 1]!.number} -> _${all[i]!.number} [style="dotted", weight=1];`);
  lines.push('  }');
  for (const a of all) {
    for (const s of a.status) {
      const m = /^(.+?)\s+\[.*\]\(([^)]+)\)$/.exec(s);
      if (!m) continue;
      const target = byFile.get(m[2]!);
      if (!target) continue;
      const label = m[1]!;
      if (/^superseded by$/i.test(label) || /^superceded by$/i.test(label)) continue; // drawn from the "Supersedes" side
      lines.push(`  _${a.number} -> _${target.number} [label=${q(label)}, weight=0]`);
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export interface LintProblem {
  file: string;
  problem: string;
}

/** Duplicate numbers, missing status, links to files that do not exist. */
export function lintAdrs(dir: string): LintProblem[] {
  const all = listAdrs(dir);
  const out: LintProblem[] = [];
  const seen = new Map<number, string>();
  for (const a of all) {
    const prev = seen.get(a.number);
    if (prev) out.push({ file: a.file, problem: `duplicate number ${a.number} (also ${prev})` });
    seen.set(a.number, a.file);
    if (a.status.length === 0) {
      out.push({ file: a.file, problem: 'missing status' });
    }
    const text = readFileSync(a.path, 'utf8');
    for (const m of text.matchAll(/\]\(([^)\s]+\.md)\)/g)) {
      if (!/^[a-z]+:/i.test(m[1]!) && !existsSync(join(dir, m[1]!)))
        out.push({ file: a.file, problem: `links to missing ${m[1]}` });
    }
  }
  return out;
}

export { findAdr, listAdrs };
