import {
  LineCounter,
  parseDocument,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  visit,
  type Alias,
  type Document,
  type Node,
} from 'yaml';
import type { ZodError } from 'zod';
import { UsageError } from '../errors.js';
import type { InputKind } from './limits.js';
import { readInputTextSync } from './read-input.js';
import { jsonLineOf, jsonValueText, refuseDuplicateJsonKeys } from './json-keys.js';

/**
 * A parsed JSON/YAML input file that can say on which line a value sits, so every validation error
 * names file, field and line (`metrics.json: "auc" must be a number, got "0.9x" (line 3)`).
 */
export interface LocatedDoc {
  label: string;
  value: unknown;
  lineOf(path: ReadonlyArray<string | number>): number | undefined;
  /** A scalar's text as written (JSON documents), for messages about values that did not survive parsing. */
  sourceOf?(path: ReadonlyArray<string | number>): string | undefined;
}

/** A YAML, JSON or text input, read within its size limit (see read-input.ts). */
export function readInputFile(file: string, label = file, kind: InputKind = 'document'): string {
  return readInputTextSync(file, label, kind);
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Where JSON.parse gave up: its reported position, else the first unexpected token outside strings. */
function jsonErrorOffset(text: string, msg: string): number | undefined {
  const pos = /position (\d+)/.exec(msg);
  if (pos) return Number(pos[1]);
  if (/end of JSON input/.test(msg)) return text.trimEnd().length;
  const tok = /Unexpected token '(.)'/.exec(msg)?.[1];
  if (tok === undefined) return undefined;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === tok) return i;
  }
  return undefined;
}

/** Strict JSON (what Python's json.dump and most tools write), with NaN/Infinity called out by name. */
export function parseJsonDoc(text: string, label: string): LocatedDoc {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const bad = /("([^"\\]|\\.)*"\s*:\s*)?(-?Infinity|NaN)\b/.exec(text);
    if (bad) {
      const key = bad[1] ? ` for ${bad[1].replace(/\s*:\s*$/, '')}` : '';
      throw new UsageError(
        `${label}: ${bad[3]}${key} is not a finite number (line ${lineAt(text, bad.index)}); write a number or leave the value out`,
      );
    }
    const msg = (err as Error).message;
    const offset = jsonErrorOffset(text, msg);
    const where = offset === undefined ? '' : ` (line ${lineAt(text, offset)})`;
    const what = msg
      .replace(/, ".*" is not valid JSON$/s, '')
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/\s*\(line \d+ column \d+\)$/, '');
    throw new UsageError(`${label}: not valid JSON: ${what}${where}`);
  }
  refuseDuplicateJsonKeys(text, label);
  return {
    label,
    value,
    lineOf: (path) => jsonLineOf(text, path),
    sourceOf: (path) => jsonValueText(text, path),
  };
}

/**
 * YAML or JSON (YAML is a superset), for config-like inputs. `.nan` and `.inf` are refused unless
 * `nonFinite: 'allow'`: what mlctl keeps of a document is JSON, which would turn them into null.
 */
export function parseYamlDoc(text: string, label: string, o: { nonFinite?: 'refuse' | 'allow' } = {}): LocatedDoc {
  const lc = new LineCounter();
  // uniqueKeys compares every key with every other (quadratic); duplicates are found below in one pass.
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(`${label}: nested too deeply to read`);
    throw err;
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = lc.linePos(e.pos[0]).line;
    throw new UsageError(`${label}: not valid YAML: ${e.message.split('\n')[0]} (line ${line})`);
  }
  refuseDuplicateKeys(doc, lc, label);
  checkAliases(doc, lc, label);
  // checkAliases bounded what the aliases expand to; yaml's own count would refuse a plain anchor
  // used 101 times, as an unexpected error.
  const value: unknown = doc.toJS({ maxAliasCount: -1 });
  const lineOf = yamlLocator(doc, lc);
  if (o.nonFinite !== 'allow') refuseNonFinite(doc, value, [], label, lineOf);
  return { label, value, lineOf };
}

function refuseNonFinite(
  doc: Document,
  value: unknown,
  path: Array<string | number>,
  label: string,
  lineOf: LocatedDoc['lineOf'],
): void {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    const node = doc.getIn(path, true) as { source?: string } | undefined;
    const line = lineOf(path);
    throw new UsageError(
      `${label}: ${pathText(path) || 'the document'} is ${value}, which JSON cannot hold${line ? ` (line ${line})` : ''}; write a number, or the value as a string (${JSON.stringify(node?.source ?? String(value))})`,
    );
  }
  if (Array.isArray(value)) value.forEach((v, i) => refuseNonFinite(doc, v, [...path, i], label, lineOf));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) refuseNonFinite(doc, v, [...path, k], label, lineOf);
}

/** Nodes that aliases may add to a document when expanded: far above any real configuration. */
export const MAX_ALIAS_EXPANSION = 100_000;

/**
 * Aliases must not loop (an alias inside the node it names would make a circular value, which no
 * file can store) nor expand beyond MAX_ALIAS_EXPANSION nodes ("billion laughs": nine levels of
 * nine aliases are 387 million nodes from ten lines). Sizes are memoised per node: one pass.
 */
function checkAliases(doc: Document, lc: LineCounter, label: string): void {
  const lineOf = (n: Node) => (n.range ? lc.linePos(n.range[0]).line : '?');
  const sizes = new Map<unknown, number>();
  const open = new Set<unknown>();
  let sourceNodes = 0;
  let biggest: { alias: Alias; size: number } | null = null;
  const sizeOf = (node: unknown, counting: boolean): number => {
    if (isAlias(node)) {
      const src = node.resolve(doc);
      if (!src) return 1;
      if (open.has(src))
        throw new UsageError(
          `${label}: the alias *${node.source} refers to the node that contains it (line ${lineOf(node)}); a configuration must be a tree, write the values out`,
        );
      const size = sizeOf(src, false);
      if (!biggest || size > biggest.size) biggest = { alias: node, size };
      return size;
    }
    if (counting) sourceNodes++;
    const known = sizes.get(node);
    if (known !== undefined && !counting) return known;
    let n = 1;
    if (isCollection(node)) {
      open.add(node);
      for (const item of node.items as unknown[])
        n += isPair(item) ? sizeOf(item.key, counting) + sizeOf(item.value, counting) : sizeOf(item, counting);
      open.delete(node);
    }
    sizes.set(node, n);
    return n;
  };
  let total: number;
  try {
    total = sizeOf(doc.contents, true);
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(`${label}: nested too deeply to read`);
    throw err;
  }
  const found = biggest as { alias: Alias; size: number } | null;
  if (found && total - sourceNodes > MAX_ALIAS_EXPANSION)
    throw new UsageError(
      `${label}: aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes (line ${lineOf(found.alias)}); write the values out instead of nesting aliases`,
    );
}

function refuseDuplicateKeys(doc: Document, lc: LineCounter, label: string): void {
  visit(doc, {
    Map(_, map) {
      const seen = new Map<string, Node>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const k = String(pair.key.value);
        const first = seen.get(k);
        if (first) {
          const at = (n: Node) => (n.range ? lc.linePos(n.range[0]).line : '?');
          throw new UsageError(
            `${label}: duplicate key ${JSON.stringify(k)} (line ${at(pair.key)}; first on line ${at(first)}); keep one`,
          );
        }
        seen.set(k, pair.key);
      }
    },
  });
}

function yamlLocator(doc: Document, lc: LineCounter): LocatedDoc['lineOf'] {
  return (path) => {
    let node: unknown = doc.contents;
    let last: Node | undefined;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => {
          const k = p.key as { value?: unknown } | null;
          return k != null && String(k.value) === String(seg);
        });
        if (!pair) break;
        last = (pair.key as Node) ?? last;
        node = pair.value;
        if (node && typeof node === 'object' && 'range' in node) last = node as Node;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        if (node && typeof node === 'object' && 'range' in node) last = node as Node;
      } else break;
    }
    const range = last?.range;
    return range ? lc.linePos(range[0]).line : undefined;
  };
}

export function pathText(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** Turn the first zod issue into one line with the field path and the line number. */
export function zodToUsage(doc: LocatedDoc, err: ZodError, hint?: string): UsageError {
  const issue = err.issues[0]!;
  let path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    // Point at the offending key itself, not at the object that holds it.
    path = [...path, issue.keys[0]!];
    message = `unknown key ${JSON.stringify(issue.keys[0])}; check the spelling`;
    return withLine(doc, path.slice(0, -1), message, doc.lineOf(path), hint);
  }
  return withLine(doc, path, message, doc.lineOf(path), hint);
}

function withLine(
  doc: LocatedDoc,
  path: Array<string | number>,
  message: string,
  line: number | undefined,
  hint?: string,
): UsageError {
  const where = path.length ? `${pathText(path)}: ` : '';
  const at = line ? ` (line ${line})` : '';
  return new UsageError(`${doc.label}: ${where}${message}${at}${hint ? `; ${hint}` : ''}`);
}
