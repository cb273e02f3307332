import { errorAt, locate, type TextProtoError } from './located.js';
import { decodeString } from './literals.js';
import { tokenize, type Token } from './tokens.js';

/*
 * A concrete syntax tree of text-format protobuf: every node knows where it is in the text, and the
 * text itself is never re-rendered. Edits replace exact character ranges (edit.ts), so comments,
 * spacing, field order and every other model's entry stay byte for byte as the author wrote them.
 */

export interface Span {
  start: number;
  end: number;
}

export interface TpScalar extends Span {
  kind: 'scalar';
  type: 'string' | 'number' | 'identifier';
  /** Decoded: a string's characters (adjacent literals joined), a number's or identifier's text with its sign. */
  value: string;
}

export interface TpList extends Span {
  kind: 'list';
  items: Array<TpScalar | TpMessage>;
}

export interface TpMessage extends Span {
  kind: 'message';
  /** "{" or "<"; "" for the document itself (whose span is the whole text). */
  open: '' | '{' | '<';
  fields: TpField[];
}

export type TpValue = TpScalar | TpList | TpMessage;

export interface TpField extends Span {
  /** As written; an extension or Any type URL keeps its brackets: "[type.googleapis.com/x.Y]". */
  name: string;
  colon: boolean;
  value: TpValue;
  /** After a trailing "," or ";" when there is one (otherwise `end`). */
  sepEnd: number;
}

export interface TpDocument {
  file: string;
  text: string;
  root: TpMessage;
}

/** Deep enough for any serving config; a bound keeps hostile input from exhausting the stack. */
const MAX_DEPTH = 100;

export function parseTextProto(text: string, file: string): TpDocument {
  const tokens = tokenize(text, file).filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  const p = new Parser(text, file, tokens);
  const fields = p.fields(null, 0);
  return { file, text, root: { kind: 'message', open: '', start: 0, end: text.length, fields } };
}

class Parser {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly tokens: Token[],
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private is(text: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind !== 'string' && t.text === text;
  }
  private fail(expected: string, at?: Token): TextProtoError {
    const t = at ?? this.peek();
    const found =
      t === undefined ? 'end of file' : JSON.stringify(t.text.length > 20 ? `${t.text.slice(0, 20)}…` : t.text);
    return errorAt(this.file, this.text, t ? t.start : this.text.length, `expected ${expected}, found ${found}`);
  }
  private expect(text: string, what = JSON.stringify(text)): Token {
    if (!this.is(text)) throw this.fail(what);
    return this.tokens[this.i++]!;
  }

  /** Fields up to `close` (or the end of the text for the document); `open` is where the message began. */
  fields(close: '}' | '>' | null, depth: number, open?: Token): TpField[] {
    const out: TpField[] = [];
    while (this.peek() !== undefined && !(close && (this.is('}') || this.is('>')))) out.push(this.field(depth));
    if (close && !this.is(close)) {
      const at = open ? locate(this.text, open.start) : null;
      throw this.fail(`"${close}"${at ? ` to close the "${open!.text}" at ${at.line}:${at.column}` : ''}`);
    }
    return out;
  }

  private field(depth: number): TpField {
    const first = this.peek()!;
    let name: string;
    if (first.kind === 'ident') {
      this.i++;
      name = first.text;
    } else if (this.is('[')) name = this.extensionName();
    else throw this.fail('a field name');
    let colon = false;
    if (this.is(':')) {
      colon = true;
      this.i++;
    }
    let value: TpValue;
    if (this.is('{') || this.is('<')) value = this.message(depth + 1);
    else if (this.is('[')) value = this.list(colon, depth + 1);
    else if (!colon) throw this.fail(`":" or "{" after ${name}`);
    else value = this.scalar();
    let sepEnd = value.end;
    if (this.is(',') || this.is(';')) sepEnd = this.tokens[this.i++]!.end;
    return { name, colon, value, start: first.start, end: value.end, sepEnd };
  }

  /** [pkg.ext] or [type.googleapis.com/pkg.Type] */
  private extensionName(): string {
    this.expect('[');
    const part = () => {
      let s = this.ident('a name');
      while (this.is('.')) {
        this.i++;
        s += `.${this.ident('a name after "."')}`;
      }
      return s;
    };
    let name = part();
    if (this.is('/')) {
      this.i++;
      name += `/${part()}`;
    }
    this.expect(']', '"]" to close the extension name');
    return `[${name}]`;
  }

  private ident(what: string): string {
    const t = this.peek();
    if (t?.kind !== 'ident') throw this.fail(what);
    this.i++;
    return t.text;
  }

  private message(depth: number): TpMessage {
    const open = this.tokens[this.i++]!;
    if (depth > MAX_DEPTH) throw this.fail(`at most ${MAX_DEPTH} nested messages`, open);
    const close = open.text === '{' ? '}' : '>';
    const fields = this.fields(close, depth, open);
    const end = this.tokens[this.i++]!.end;
    return { kind: 'message', open: open.text as '{' | '<', start: open.start, end, fields };
  }

  private list(colon: boolean, depth: number): TpList {
    const open = this.tokens[this.i++]!;
    const items: Array<TpScalar | TpMessage> = [];
    if (!this.is(']')) {
      for (;;) {
        if (this.is('{') || this.is('<')) items.push(this.message(depth));
        else if (!colon) throw this.fail('"{" (a list of scalars needs ":" after the field name)');
        else items.push(this.scalar());
        if (items.some((x) => x.kind !== items[0]!.kind)) throw this.fail('a list of only messages or only values');
        if (this.is(']')) break;
        this.expect(',', '"," or "]"');
      }
    }
    const close = this.expect(']', '"]"');
    return { kind: 'list', start: open.start, end: close.end, items };
  }

  private scalar(): TpScalar {
    const first = this.peek();
    if (first === undefined) throw this.fail('a value');
    if (first.kind === 'string') {
      let value = '';
      let end = first.end;
      while (this.peek()?.kind === 'string') {
        const t = this.tokens[this.i++]!;
        value += decodeString(t.text);
        end = t.end;
      }
      return { kind: 'scalar', type: 'string', value, start: first.start, end };
    }
    let sign = '';
    if (this.is('-')) {
      sign = '-';
      this.i++;
    }
    const t = this.peek();
    if (t?.kind === 'number' || t?.kind === 'ident') {
      this.i++;
      return {
        kind: 'scalar',
        type: t.kind === 'number' ? 'number' : 'identifier',
        value: sign + t.text,
        start: first.start,
        end: t.end,
      };
    }
    throw this.fail(sign ? 'a number after "-"' : 'a value (a number, a "string", an identifier, "{" or "[")');
  }
}
