import Table from 'cli-table3';

/** A borderless, left-aligned table like `gh` and `kubectl` print. */
export function table(head: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const t = new Table({
    head,
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const r of rows) t.push(r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  return `${t.toString().split('\n').map((l) => l.trimEnd()).join('\n')}\n`;
}

export function kv(rows: Array<[string, string | number | null | undefined]>): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${`${k}:`.padEnd(w + 2)}${v === null || v === undefined || v === '' ? '-' : v}`).join('\n') + '\n';
}
