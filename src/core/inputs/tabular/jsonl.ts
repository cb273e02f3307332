import { UsageError } from '../../errors.js';

/**
 * JSON Lines: one object per non-blank line, with its line number; anything else is a located error.
 * Returns the keys in order of first appearance (a table's columns).
 */
export function scanJsonl(
  text: string,
  file: string,
  onObject: (o: Record<string, unknown>, line: number) => void,
): string[] {
  const lines = text.split(/\r?\n/);
  const keys = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (!l) continue;
    let o: unknown;
    try {
      o = JSON.parse(l);
    } catch {
      throw new UsageError(`${file}:${i + 1}: not valid JSON`);
    }
    if (!o || typeof o !== 'object' || Array.isArray(o))
      throw new UsageError(`${file}:${i + 1}: each line must be a JSON object`);
    for (const k of Object.keys(o)) keys.add(k);
    onObject(o as Record<string, unknown>, i + 1);
  }
  return [...keys];
}

/** A table file's format from its first character: `{` starts JSON Lines, anything else is CSV. */
export const isJsonl = (text: string): boolean => text.trimStart().startsWith('{');
