import { close, closeSync, constants, fstat, fstatSync, open, openSync, read, readSync, type Stats } from 'node:fs';
import { Socket } from 'node:net';
import { isatty } from 'node:tty';
import { promisify } from 'node:util';
import { constants as bufferConstants } from 'node:buffer';
import { UsageError } from '../errors.js';
import { inputLimit, tooLarge, type InputKind } from './limits.js';

const openAsync = promisify(open);
const fstatAsync = promisify(fstat);
const closeAsync = promisify(close);
const readAsync = (fd: number, buf: Buffer, off: number, len: number, pos: null) =>
  new Promise<number>((res, rej) => read(fd, buf, off, len, pos, (err, n) => (err ? rej(err) : res(n))));

/**
 * Every input file is read here: its size checked against the limit of its kind before a byte is
 * read, and a pipe or a device (`--metrics /dev/zero`, `<(…)`) read up to the limit and no further,
 * so no input can grow mlctl's memory without bound (issue 11.14). The asynchronous form keeps the
 * event loop free while a pipe waits for its writer, so Ctrl-C and SIGTERM still stop the command.
 */
export function readInputSync(file: string, label: string, kind: InputKind): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw cannotRead(label, err);
  }
  try {
    const st = fstatSync(fd);
    // Read synchronously, a pipe or a terminal could block the process beyond any signal's reach.
    if (st.isFIFO() || st.isSocket() || isatty(fd))
      throw new UsageError(`${label}: is a pipe or a terminal; this input is read from a regular file only`);
    const plan = planRead(st, label, kind);
    const chunks: Buffer[] = [];
    let total = 0;
    for (let size = plan.chunk; ; size = Math.min(plan.chunk, 1024 * 1024)) {
      const buf = Buffer.allocUnsafe(size);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > plan.limit) throw tooLarge(label, kind, plan.size);
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw cannotRead(label, err);
  } finally {
    closeSync(fd);
  }
}

export async function readInput(file: string, label: string, kind: InputKind): Promise<Buffer> {
  let fd: number;
  try {
    // O_NONBLOCK: opening a named pipe does not wait for its writer (see readPipe).
    fd = await openAsync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw cannotRead(label, err);
  }
  let st: Stats;
  try {
    st = await fstatAsync(fd);
  } catch (err) {
    await closeAsync(fd).catch(() => undefined);
    throw cannotRead(label, err);
  }
  if (st.isFIFO() || st.isSocket()) return readPipe(fd, label, kind);
  try {
    if (isatty(fd))
      throw new UsageError(`${label}: is a terminal; give a file, or pipe the content in (mlctl … ${label} < file)`);
    const plan = planRead(st, label, kind);
    const chunks: Buffer[] = [];
    let total = 0;
    for (let size = plan.chunk; ; size = Math.min(plan.chunk, 1024 * 1024)) {
      const buf = Buffer.allocUnsafe(size);
      const n = await readAsync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > plan.limit) throw tooLarge(label, kind, plan.size);
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw cannotRead(label, err);
  } finally {
    await closeAsync(fd).catch(() => undefined);
  }
}

/**
 * A pipe is read through the event loop, not the thread pool: a thread blocked in read() on a pipe
 * whose writer never writes would keep the process from exiting even after Ctrl-C or SIGTERM.
 * Opened without blocking, a named pipe with no writer yet reports nothing until one comes.
 */
function readPipe(fd: number, label: string, kind: InputKind): Promise<Buffer> {
  const limit = inputLimit(kind);
  const sock = new Socket({ fd, readable: true, writable: false });
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    sock.on('data', (b: Buffer) => {
      total += b.length;
      if (total > limit) {
        sock.destroy();
        reject(tooLarge(label, kind, null));
      } else chunks.push(b);
    });
    sock.on('end', () => {
      resolve(Buffer.concat(chunks, total));
      sock.destroy();
    });
    sock.on('error', (err) => reject(cannotRead(label, err)));
  });
}

/** The file's text: UTF-8, without a byte-order mark (Windows tools write one; it is not content). */
export function inputText(buf: Buffer, label: string): string {
  if (buf.length > bufferConstants.MAX_STRING_LENGTH)
    throw new UsageError(
      `${label}: too large to read as text (${buf.length} bytes, at most ${bufferConstants.MAX_STRING_LENGTH}); split it, or write predictions as Parquet`,
    );
  const start = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  return buf.toString('utf8', start);
}

export function readInputTextSync(file: string, label: string, kind: InputKind = 'document'): string {
  return inputText(readInputSync(file, label, kind), label);
}

export async function readInputText(file: string, label: string, kind: InputKind = 'document'): Promise<string> {
  return inputText(await readInput(file, label, kind), label);
}

/** A regular file over the limit is refused before reading; anything else is read in chunks up to it. */
function planRead(st: Stats, label: string, kind: InputKind): { limit: number; size: number | null; chunk: number } {
  if (st.isDirectory()) throw new UsageError(`${label}: is a folder, expected a file`);
  const limit = inputLimit(kind);
  if (st.isFile()) {
    if (st.size > limit) throw tooLarge(label, kind, st.size);
    // One read for the whole file, and one more byte to notice a file still growing.
    return { limit, size: null, chunk: Math.min(st.size + 1, limit + 1) };
  }
  return { limit, size: null, chunk: Math.min(1024 * 1024, limit + 1) };
}

function cannotRead(label: string, err: unknown): UsageError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UsageError(`${label}: no such file; check the path`);
  if (code === 'EISDIR') return new UsageError(`${label}: is a folder, expected a file`);
  return new UsageError(`${label}: cannot read (${code ?? String(err)})`, { cause: err });
}
