import { UsageError } from '../errors.js';

/**
 * Where things are in a JSON text that JSON.parse has already accepted: each object key with its
 * line, in one linear pass over the characters (no tree). JSON.parse keeps the last of two equal
 * keys without a word; this pass finds them (issue 11.16) and answers "which line is this path
 * on" for error messages (issue 11.14: a lookup per key made 200,000 keys take minutes).
 */
type Seg = string | number;

interface Frame {
  obj: boolean;
  /** Keys seen in this object, with the line of each. */
  keys: Map<string, number> | null;
  key: Seg;
  expectKey: boolean;
}

const pathOf = (frames: Frame[]): Seg[] => frames.map((f) => f.key);

/**
 * Walk the text; `visit(frames, line, end)` at every key (the last frame's key; `end` just after
 * its closing quote); stop when it returns true.
 */
function walk(text: string, visit: (frames: Frame[], line: number, end: number) => boolean): void {
  const frames: Frame[] = [];
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 34) {
      // A string: find its end (escapes skip one character; JSON strings hold no raw newlines).
      let j = i + 1;
      let escaped = false;
      for (; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d === 92) {
          escaped = true;
          j++;
        } else if (d === 34) break;
      }
      const top = frames[frames.length - 1];
      if (top?.obj && top.expectKey) {
        top.key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        top.expectKey = false;
        if (visit(frames, line, j + 1)) return;
      }
      i = j;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      const obj = c === 123;
      frames.push({ obj, keys: obj ? new Map() : null, key: obj ? '' : 0, expectKey: obj });
    } else if (c === 125 /* } */ || c === 93 /* ] */) frames.pop();
    else if (c === 44 /* , */) {
      const top = frames[frames.length - 1]!;
      if (top.obj) top.expectKey = true;
      else top.key = (top.key as number) + 1;
    }
  }
}

/** Refuse two equal keys in one object, naming the key, its path and both lines. */
export function refuseDuplicateJsonKeys(text: string, label: string): void {
  walk(text, (frames, line) => {
    const top = frames[frames.length - 1]!;
    const key = top.key as string;
    const first = top.keys!.get(key);
    if (first !== undefined) {
      const path = pathOf(frames);
      const where = path.length > 1 ? ` in ${path.slice(0, -1).join('.')}` : '';
      throw new UsageError(
        `${label}: duplicate key ${JSON.stringify(key)}${where} (line ${line}; first on line ${first}); JSON readers keep only one of them, so remove the other`,
      );
    }
    top.keys!.set(key, line);
    return false;
  });
}

/** The line of the deepest key on `path` (array indices follow elements); undefined if none. */
export function jsonLineOf(text: string, path: ReadonlyArray<Seg>): number | undefined {
  let best: number | undefined;
  let bestDepth = 0;
  walk(text, (frames, line) => {
    if (frames.length > path.length || frames.length <= bestDepth) return false;
    for (let k = 0; k < frames.length; k++) if (String(frames[k]!.key) !== String(path[k])) return false;
    best = line;
    bestDepth = frames.length;
    return bestDepth === path.length;
  });
  return best;
}

/** The text of the value at `path` (an object member) as written, e.g. "1e999"; undefined if not found. */
export function jsonValueText(text: string, path: ReadonlyArray<Seg>): string | undefined {
  let out: string | undefined;
  walk(text, (frames, _line, end) => {
    if (frames.length !== path.length) return false;
    for (let k = 0; k < frames.length; k++) if (String(frames[k]!.key) !== String(path[k])) return false;
    const m = /^\s*:\s*([^,}\]\s]+)/.exec(text.slice(end, end + 400));
    out = m?.[1];
    return true;
  });
  return out;
}
