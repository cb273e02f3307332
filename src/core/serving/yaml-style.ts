import { diffArrays } from 'diff';
import type { ToStringOptions } from 'yaml';

/** How the author indents: what the YAML library needs to write new lines the same way. */
export type YamlStyle = Required<Pick<ToStringOptions, 'indent' | 'indentSeq' | 'flowCollectionPadding' | 'lineWidth'>>;

const DEFAULT = { indent: 2, indentSeq: true };
const BLOCK_KEY = /^( *)((?:- +)*)[^\s#-][^#]*:(?:\s+#.*)?\s*$/;
const skip = (l: string) => l.trim() === '' || l.trimStart().startsWith('#');

/**
 * Read the indentation style from a document's text: the step under a `key:` that opens a block
 * map (indent), whether `- item` sits at the key's column or deeper (Kubernetes tools write the
 * former, the YAML library the latter), and whether flow collections are padded (`{ a: 1 }`).
 * Whatever the text does not show keeps the library's default.
 */
export function yamlStyleOf(text: string): YamlStyle {
  const lines = text.split('\n');
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  for (let i = 0; i < lines.length && (indent === undefined || indentSeq === undefined); i++) {
    const m = BLOCK_KEY.exec(lines[i]!);
    if (!m) continue;
    let j = i + 1;
    while (j < lines.length && skip(lines[j]!)) j++;
    if (j >= lines.length) break;
    const next = lines[j]!;
    const nextIndent = next.length - next.trimStart().length;
    // The key's own column: after any "- " that put it in a sequence item.
    const keyCol = m[1]!.length + m[2]!.length;
    if (next.trimStart().startsWith('- ')) {
      if (nextIndent === keyCol) indentSeq ??= false;
      else if (nextIndent > keyCol) {
        indentSeq ??= true;
        indent ??= nextIndent - keyCol;
      }
    } else if (nextIndent > keyCol) indent ??= nextIndent - keyCol;
  }
  // A flow collection starts a value (after "key: " or "- "); "[]" and "{}" say nothing.
  let padded = false;
  let unpadded = false;
  for (const m of text.matchAll(/(?:^[ \t]*(?:- +)*|:[ \t]+)[{[]( *)(?=[^\s\]}])/gm)) {
    if (m[1]) padded = true;
    else unpadded = true;
  }
  return {
    indent: indent ?? DEFAULT.indent,
    indentSeq: indentSeq ?? DEFAULT.indentSeq,
    flowCollectionPadding: padded || !unpadded,
    // Never fold a long line the author wrote on one.
    lineWidth: 0,
  };
}

/**
 * Lines the YAML library re-renders differ from the author's in spacing it does not keep: the
 * padding inside flow collections (`[a]` → `[ a ]`), the spaces before a trailing comment and at
 * the end of a line. Two lines that differ only in those are the same line.
 */
const norm = (l: string) =>
  l
    .replace(/([[{])\s+/g, '$1')
    .replace(/\s+([\]}])/g, '$1')
    .replace(/\s+#/g, ' #')
    .trimEnd();

/**
 * The re-rendered text with every line that is the same as the author's (up to that spacing)
 * given back byte for byte. Lines are matched in order (a diff), so a line repeated in the
 * document keeps its own spacing, not its first twin's.
 */
export function keepUnchangedLines(before: string, after: string): string {
  const old = before.split('\n');
  const neu = after.split('\n');
  const out: string[] = [];
  let i = 0;
  let j = 0;
  for (const c of diffArrays(old.map(norm), neu.map(norm))) {
    if (c.removed) i += c.count;
    else if (c.added) {
      out.push(...neu.slice(j, j + c.count));
      j += c.count;
    } else {
      out.push(...old.slice(i, i + c.count));
      i += c.count;
      j += c.count;
    }
  }
  return out.join('\n');
}
