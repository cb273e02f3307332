const SIMPLE: Record<string, number> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  '\\': 92,
  "'": 39,
  '"': 34,
  '?': 63,
};

/**
 * The bytes a quoted literal stands for, read as UTF-8 (protobuf strings are UTF-8; octal and hex
 * escapes give bytes, \u and \U give code points). The tokenizer has already checked every escape.
 */
export function decodeString(literal: string): string {
  const body = literal.slice(1, -1);
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < body.length;) {
    const c = body[i]!;
    if (c !== '\\') {
      const cp = body.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...enc.encode(ch));
      i += ch.length;
      continue;
    }
    const e = body[i + 1]!;
    if (e in SIMPLE) {
      bytes.push(SIMPLE[e]!);
      i += 2;
    } else if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      bytes.push(parseInt(m, 8) & 0xff);
      i += 1 + m.length;
    } else if (e === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 2))![0];
      bytes.push(parseInt(m, 16));
      i += 2 + m.length;
    } else {
      const n = e === 'u' ? 4 : 8;
      const cp = parseInt(body.slice(i + 2, i + 2 + n), 16);
      bytes.push(...enc.encode(cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd'));
      i += 2 + n;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** A quoted literal for `value` in the given quote style; control characters as octal escapes. */
export function encodeString(value: string, quote: '"' | "'" = '"'): string {
  let out = quote;
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** A whole number as the text format writes it (decimal, 0x hex, 0 octal, optional minus), or null. */
export function parseInteger(text: string): bigint | null {
  const m = /^(-?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return null;
  const digits = m[2]!;
  const n =
    digits.length > 1 && digits[0] === '0' && !/[xX]/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  return m[1] ? -n : n;
}
