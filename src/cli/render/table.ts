/**
 * Borderless, left-aligned columns like `gh` and `kubectl` print. Hand-written on purpose: a table
 * library cost ~15 ms of start-up for features (borders, wrapping) this output does not use.
 */
type Cell = string | number | null | undefined;

const cellText = (c: Cell) => (c === null || c === undefined || c === '' ? '-' : String(c));

// Width in terminal columns: code points, not UTF-16 units (→, ×, ✓ are one column each).
const width = (s: string) => [...s].length;

export function table(head: string[], rows: Cell[][]): string {
  const text = [head, ...rows.map((r) => r.map(cellText))];
  const widths = head.map((_, i) => Math.max(...text.map((r) => width(r[i] ?? ''))));
  return (
    text
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c) + 2)))
          .join('')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export function kv(rows: Array<[string, Cell]>): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${`${k}:`.padEnd(w + 2)}${cellText(v)}`).join('\n') + '\n';
}
