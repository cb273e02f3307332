/**
 * Markdown for text that came from people (reasons, check names, ADR titles) inside a pull request
 * body: it must read as written, never as markup, links, HTML, @mentions or #references.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '@': '&#64;', '#': '&#35;' };

export function mdText(s: string): string {
  return (
    s
      .replace(/\r\n?/g, '\n')
      // One pass, so an entity's own & and # are not escaped again.
      .replace(/[&<>@#\\`*_[\]()|~!]/g, (c) => ENTITIES[c] ?? `\\${c}`)
      // List markers, headings by underline, and ordered lists only mean something at a line's start.
      .replace(/^(\s*)([-+])(?=\s|$)/gm, '$1\\$2')
      .replace(/^(\s*)(=+\s*)$/gm, '$1\\$2')
      .replace(/^(\s*\d+)([.)])(?=\s|$)/gm, '$1\\$2')
  );
}

/** One line of text (a table cell, a list item): newlines become spaces. */
export function mdInline(s: string): string {
  return mdText(s.replace(/\s*[\r\n]+\s*/g, ' ').trim());
}

/** A code span that holds any text: the fence is longer than any run of backticks inside. */
export function mdCode(s: string): string {
  const one = s.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(one.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = one.startsWith('`') || one.endsWith('`') || longest > 0 ? ' ' : '';
  return `${fence}${pad}${one}${pad}${fence}`;
}

/** A quoted block of free text, paragraph breaks kept. */
export function mdQuote(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .trim()
    .split('\n')
    .map((l) => (l.trim() ? `> ${mdText(l)}` : '>'))
    .join('\n');
}

export function mdTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A link whose text is escaped and whose URL cannot end the link early. */
export function mdLink(text: string, url: string): string {
  return `[${mdInline(text)}](<${url.replace(/[<>\s]/g, (c) => encodeURIComponent(c))}>)`;
}
