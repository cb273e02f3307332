import type { Span, TpDocument, TpField, TpMessage } from './parse.js';

/** Replace text[start, end) by `text`; an insertion has start === end. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** New fields to write, rendered in the style of the message they go into. */
export type Out =
  | { name: string; scalar: string }
  | { name: string; list: string[] }
  | { name: string; colon?: boolean; inline?: boolean; fields: Out[] }
  /** Text written exactly as given (e.g. a copy of a sibling entry). */
  | { raw: string };

/** Apply non-overlapping edits; insertions at the same place keep their order. */
export function applyEdits(text: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    // Two edits of one range would mean an adapter computed its changes wrongly: a bug, not an input error.
    if (e.start < pos) throw new Error(`internal error: overlapping text-proto edits at ${e.start}`);
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

export const replace = (span: Span, text: string): Edit => ({ start: span.start, end: span.end, text });

const lineStart = (text: string, at: number) => text.lastIndexOf('\n', at - 1) + 1;
const indentOf = (text: string, at: number) => /^[ \t]*/.exec(text.slice(lineStart(text, at)))![0];
const startsLine = (text: string, at: number) => /^[ \t]*$/.test(text.slice(lineStart(text, at), at));

/** The end of the line after `at` when only spaces and a comment follow on it (the "\n" or the end), else null. */
function restOfLine(text: string, at: number): number | null {
  const m = /^[ \t]*(?:#[^\n]*)?(?:\n|$)/.exec(text.slice(at));
  if (!m) return null;
  return at + m[0].length - (m[0].endsWith('\n') ? 1 : 0);
}

/** One field per line (and the document itself) versus `{ a: 1 b: 2 }` on one line. */
const isBlock = (doc: TpDocument, m: TpMessage) => m.open === '' || doc.text.slice(m.start, m.end).includes('\n');

/** The indentation step of the file: the first nested field that starts a line, relative to its parent. */
function unitOf(doc: TpDocument, m: TpMessage): string {
  const walk = (msg: TpMessage): string | null => {
    for (const f of msg.fields) {
      if (f.value.kind !== 'message' || !isBlock(doc, f.value)) continue;
      const child = f.value.fields.find((c) => startsLine(doc.text, c.start));
      if (child && startsLine(doc.text, f.start)) {
        const d = indentOf(doc.text, child.start).slice(indentOf(doc.text, f.start).length);
        if (d) return d;
      }
      const deeper = walk(f.value);
      if (deeper) return deeper;
    }
    return null;
  };
  return walk(m) ?? walk(doc.root) ?? '  ';
}

export function render(o: Out, indent: string, unit: string, block: boolean): string {
  if ('raw' in o) return o.raw;
  if ('scalar' in o) return `${o.name}: ${o.scalar}`;
  if ('list' in o) return `${o.name}: [${o.list.join(', ')}]`;
  const head = `${o.name}${o.colon ? ':' : ''} {`;
  if (o.fields.length === 0) return `${head}}`;
  if (!block || o.inline) return `${head} ${o.fields.map((f) => render(f, '', unit, false)).join(' ')} }`;
  const inner = indent + unit;
  return `${head}\n${o.fields.map((f) => inner + render(f, inner, unit, true)).join('\n')}\n${indent}}`;
}

/**
 * Insert fields into `m` after `after` (default: its last field), in the message's style: on their own
 * lines at the sibling's indentation in a block, space-separated (commas when the author used them) inline.
 */
export function insertFields(doc: TpDocument, m: TpMessage, items: Out[], after?: TpField): Edit {
  const { text } = doc;
  const anchor = after ?? m.fields[m.fields.length - 1];
  const unit = unitOf(doc, m);
  if (anchor) {
    const eol = restOfLine(text, anchor.sepEnd);
    if (isBlock(doc, m) && startsLine(text, anchor.start) && eol !== null) {
      const indent = indentOf(text, anchor.start);
      return { start: eol, end: eol, text: items.map((o) => `\n${indent}${render(o, indent, unit, true)}`).join('') };
    }
    const comma = anchor.sepEnd === anchor.end && m.fields.some((f) => text[f.sepEnd - 1] === ',') ? ',' : '';
    return {
      start: anchor.sepEnd,
      end: anchor.sepEnd,
      text: `${comma} ${items.map((o) => render(o, '', unit, false)).join(comma ? ', ' : ' ')}`,
    };
  }
  if (m.open === '') {
    const sep = text.length === 0 || text.endsWith('\n') ? '' : '\n';
    return {
      start: text.length,
      end: text.length,
      text: `${sep}${items.map((o) => render(o, '', unit, true)).join('\n')}\n`,
    };
  }
  const afterOpen = m.start + 1;
  if (isBlock(doc, m)) {
    const eol = restOfLine(text, afterOpen) ?? afterOpen;
    const indent = indentOf(text, m.start) + unit;
    return { start: eol, end: eol, text: items.map((o) => `\n${indent}${render(o, indent, unit, true)}`).join('') };
  }
  const body = items.map((o) => render(o, '', unit, false)).join(' ');
  return { start: afterOpen, end: afterOpen, text: text[afterOpen] === ' ' ? ` ${body}` : ` ${body} ` };
}

/** Remove a field: its whole line (with its trailing comment) when it stands alone on it, else just its text. */
export function removeField(doc: TpDocument, f: TpField): Edit {
  const { text } = doc;
  const eol = restOfLine(text, f.sepEnd);
  if (startsLine(text, f.start) && eol !== null)
    return { start: lineStart(text, f.start), end: Math.min(eol + 1, text.length), text: '' };
  const spaces = /^[ \t]*/.exec(text.slice(f.sepEnd))![0].length;
  return { start: f.start, end: f.sepEnd + spaces, text: '' };
}

/** The text of `f` with some of its inner spans replaced: a new sibling written exactly like an existing one. */
export function cloneField(doc: TpDocument, f: TpField, changes: Edit[]): string {
  return applyEdits(
    doc.text.slice(f.start, f.end),
    changes.map((c) => ({ start: c.start - f.start, end: c.end - f.start, text: c.text })),
  );
}

/** Write `f` anew (e.g. a policy of another kind) where it stands, in its parent's style. */
export function replaceField(doc: TpDocument, parent: TpMessage, f: TpField, o: Out): Edit {
  const block = isBlock(doc, parent) && startsLine(doc.text, f.start);
  return { start: f.start, end: f.end, text: render(o, indentOf(doc.text, f.start), unitOf(doc, parent), block) };
}

/**
 * Make the repeated scalar `name` of `m` hold `values`, in the author's form: one list (`name: [1, 2]`)
 * stays a list; repeated fields keep their places, extra ones go after the last, surplus ones are removed.
 */
export function setRepeatedScalars(doc: TpDocument, m: TpMessage, name: string, values: string[]): Edit[] {
  const occ = m.fields.filter((f) => f.name === name);
  if (occ.length === 0)
    return values.length
      ? [
          insertFields(
            doc,
            m,
            values.map((v) => ({ name, scalar: v })),
          ),
        ]
      : [];
  const listField = occ.find((f) => f.value.kind === 'list');
  if (listField)
    return [
      replace(listField.value, `[${values.join(', ')}]`),
      ...occ.filter((f) => f !== listField).map((f) => removeField(doc, f)),
    ];
  const edits: Edit[] = [];
  occ.forEach((f, i) => {
    const v = values[i];
    if (v === undefined) edits.push(removeField(doc, f));
    else if (doc.text.slice(f.value.start, f.value.end) !== v) edits.push(replace(f.value, v));
  });
  if (values.length > occ.length)
    edits.push(
      insertFields(
        doc,
        m,
        values.slice(occ.length).map((v) => ({ name, scalar: v })),
        occ[occ.length - 1],
      ),
    );
  return edits;
}
