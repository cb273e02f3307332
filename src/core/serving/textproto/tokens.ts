import { errorAt } from './located.js';

export type TokenKind = 'space' | 'comment' | 'ident' | 'number' | 'string' | 'punct';

/** A slice of the text; the tokens of a file, joined, are the file (trivia included). */
export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  text: string;
}

const PUNCT = '{}[]<>:,;-/.';
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
// Decimal, octal, hex and float literals (with an optional f suffix), as the text format writes them.
const NUMBER = /(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fF]?)/y;
const SPACE = /[ \t\r\n\v\f]+/y;
const ESCAPE = /\\(?:[abfnrtv\\'"?]|[0-7]{1,3}|x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/y;

/** Split text-format protobuf into tokens, trivia included; a character that starts no token is a located error. */
export function tokenize(text: string, file: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const take = (kind: TokenKind, end: number) => {
    out.push({ kind, start: i, end, text: text.slice(i, end) });
    i = end;
  };
  const sticky = (re: RegExp): number => {
    re.lastIndex = i;
    return re.exec(text) ? re.lastIndex : -1;
  };
  while (i < text.length) {
    const c = text[i]!;
    let end: number;
    if ((end = sticky(SPACE)) > 0) take('space', end);
    else if (c === '#') {
      const nl = text.indexOf('\n', i);
      take('comment', nl === -1 ? text.length : nl);
    } else if (c === '"' || c === "'") take('string', stringEnd(text, i, file));
    else if ((end = sticky(IDENT)) > 0) take('ident', end);
    else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      end = sticky(NUMBER);
      if (/[A-Za-z0-9_.]/.test(text[end] ?? ''))
        throw errorAt(file, text, i, `malformed number ${JSON.stringify(text.slice(i, end + 1))}`);
      take('number', end);
    } else if (PUNCT.includes(c)) take('punct', i + 1);
    else throw errorAt(file, text, i, `unexpected character ${JSON.stringify(c)}`);
  }
  return out;
}

function stringEnd(text: string, start: number, file: string): number {
  const quote = text[start]!;
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === quote) return i + 1;
    if (c === '\n') break;
    if (c === '\\') {
      ESCAPE.lastIndex = i;
      if (!ESCAPE.exec(text)) throw errorAt(file, text, i, `invalid escape ${JSON.stringify(text.slice(i, i + 2))}`);
      i = ESCAPE.lastIndex;
    } else i++;
  }
  throw errorAt(file, text, start, `unterminated string: expected a closing ${quote} on the same line`);
}
