import { UsageError } from '../../errors.js';

/** 1-based line and column of `offset` in `text` (columns count UTF-16 units, as editors do for BMP text). */
export function locate(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * A problem in a text-format protobuf file, at a place: `models.config:12:5: expected "}", found end of file`.
 * It is an input error (exit 2): the file is the user's, and nothing is written.
 */
export class TextProtoError extends UsageError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
    this.name = 'TextProtoError';
  }
}

export function errorAt(file: string, text: string, offset: number, detail: string): TextProtoError {
  const { line, column } = locate(text, offset);
  return new TextProtoError(file, line, column, detail);
}
