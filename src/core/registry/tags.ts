import { UsageError } from '../errors.js';
import { RESERVED_NAMES } from '../inputs/metrics-file.js';

const TAG_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,127}$/;

export function parseTag(text: string): { key: string; value: string } {
  const eq = text.indexOf('=');
  const key = eq < 0 ? text : text.slice(0, eq);
  if (eq < 0 || !TAG_KEY.test(key) || RESERVED_NAMES.has(key)) {
    throw new UsageError(
      `invalid tag ${JSON.stringify(text)}: expected KEY=VALUE with KEY made of letters, digits, _ . : / -`,
    );
  }
  const value = text.slice(eq + 1);
  if (value.length > 1024) throw new UsageError(`tag ${key}: value longer than 1024 characters`);
  return { key, value };
}

/** KEY=VALUE pairs; a key given twice is refused rather than the last one silently winning. */
export function parseTags(texts: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of texts) {
    const { key, value } = parseTag(t);
    if (Object.hasOwn(out, key))
      throw new UsageError(`tag ${JSON.stringify(key)} given twice (${key}=${out[key]}, ${t}); give each key once`);
    out[key] = value;
  }
  return out;
}
