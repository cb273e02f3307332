import { UsageError } from '../../errors.js';

/**
 * One CSV row as field offsets: field k is `src.slice(starts[k], ends[k])`. `src` is the file's text
 * itself (no per-row strings) or, for a row with quoted fields, that row unquoted.
 */
export interface CsvRow {
  src: string;
  starts: Int32Array;
  ends: Int32Array;
  line: number;
}

/** RFC 4180 quoting of one line: "a ""b""",c → ['a "b"', 'c']. */
export function splitCsvLine(line: string, file: string, lineNo: number): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (q) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else q = false;
      } else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (q) throw new UsageError(`${file}:${lineNo}: unterminated quoted field`);
  out.push(cur);
  return out;
}

/** The header's column names (trimmed) and where the rows start. */
export function csvHeader(text: string, file: string): { header: string[]; bodyStart: number } {
  let eol = text.indexOf('\n');
  if (eol < 0) eol = text.length;
  return {
    header: splitCsvLine(text.slice(0, eol).replace(/\r$/, ''), file, 1).map((h) => h.trim()),
    bodyStart: eol + 1,
  };
}

/** Rows after the header: an upper bound (newlines), for sizing typed arrays before the scan. */
export function csvRowCapacity(text: string, bodyStart: number): number {
  let cap = 0;
  for (let i = text.indexOf('\n', bodyStart); i >= 0; i = text.indexOf('\n', i + 1)) cap++;
  return cap + 1;
}

/**
 * Scan the rows of a CSV text in place with indexOf, calling `onRow` for every non-empty line with
 * exactly `width` fields (any other count is a located error). 1M-row files are the normal case
 * for gates: per-row arrays and strings would dominate the run time and memory. The row object is
 * reused: copy what you keep.
 */
export function scanCsvRows(
  text: string,
  file: string,
  bodyStart: number,
  width: number,
  onRow: (row: CsvRow) => void,
): void {
  const row: CsvRow = { src: text, starts: new Int32Array(width), ends: new Int32Array(width), line: 1 };
  const { starts, ends } = row;
  // The next quote is looked up only after passing the previous one: linear, not O(rows²).
  let nextQuote = text.indexOf('"', bodyStart);
  for (let start = bodyStart; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    row.line++;
    let stop = end;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
    if (stop > start) {
      if (nextQuote >= 0 && nextQuote < start) nextQuote = text.indexOf('"', start);
      let got = 0;
      if (nextQuote >= 0 && nextQuote < stop) {
        // Quoted fields: unquote the line into a small string of its own and point into that.
        const cells = splitCsvLine(text.slice(start, stop), file, row.line);
        got = cells.length;
        let off = 0;
        for (let k = 0; k < Math.min(got, width); k++) {
          starts[k] = off;
          ends[k] = off += cells[k]!.length;
        }
        row.src = cells.join('');
      } else {
        row.src = text;
        for (let a = start; ;) {
          const comma = text.indexOf(',', a);
          const e = comma < 0 || comma > stop ? stop : comma;
          if (got < width) {
            starts[got] = a;
            ends[got] = e;
          }
          got++;
          if (e === stop) break;
          a = e + 1;
        }
      }
      if (got !== width) throw new UsageError(`${file}:${row.line}: expected ${width} fields, got ${got}`);
      onRow(row);
    }
    start = end + 1;
  }
}
