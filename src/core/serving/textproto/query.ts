import { errorAt, type TextProtoError } from './located.js';
import { parseInteger } from './literals.js';
import type { Span, TpDocument, TpField, TpMessage, TpScalar } from './parse.js';

/** Reading a parsed file with located errors for what a serving config must not get wrong. */

export const failAt = (doc: TpDocument, at: Span | number, detail: string): TextProtoError =>
  errorAt(doc.file, doc.text, typeof at === 'number' ? at : at.start, detail);

/** The field `name` of `m` when it is given at most once (a second one is an error at its place). */
export function only(doc: TpDocument, m: TpMessage, name: string): TpField | null {
  const all = m.fields.filter((f) => f.name === name);
  if (all.length > 1) throw failAt(doc, all[1]!, `${name} is given twice; keep one`);
  return all[0] ?? null;
}

export function messageOf(doc: TpDocument, f: TpField): TpMessage {
  if (f.value.kind !== 'message') throw failAt(doc, f.value, `${f.name}: expected { … }`);
  return f.value;
}

export function stringOf(doc: TpDocument, f: TpField): string {
  if (f.value.kind !== 'scalar' || f.value.type !== 'string')
    throw failAt(doc, f.value, `${f.name}: expected a quoted string`);
  return f.value.value;
}

/** A whole, non-negative version number (int64 in the schemas; larger than 2^53 is refused). */
export function versionOf(doc: TpDocument, s: TpScalar | TpMessage, what: string): number {
  const n = s.kind === 'scalar' && s.type === 'number' ? parseInteger(s.value) : null;
  if (n === null || n < 0n || n > BigInt(Number.MAX_SAFE_INTEGER))
    throw failAt(doc, s, `${what}: expected a version number (a whole number ≥ 0)`);
  return Number(n);
}

/** The scalar values of a repeated field, whether written as repeated fields or as one list. */
export function repeatedValues(doc: TpDocument, m: TpMessage, name: string): Array<TpScalar | TpMessage> {
  return m.fields.filter((f) => f.name === name).flatMap((f) => (f.value.kind === 'list' ? f.value.items : [f.value]));
}
