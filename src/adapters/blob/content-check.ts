import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { ContentChangedError } from '../../core/errors.js';

// Every upload path checks that the bytes it sent are the ones their content address names.

/** `len` bytes of `file` at `offset`; a file that became shorter than hashed is refused. */
export async function readAt(
  fh: FileHandle,
  file: string,
  offset: number,
  len: number,
  into?: Buffer,
): Promise<Buffer> {
  const body = into ? into.subarray(0, len) : Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(body, got, len - got, offset + got);
    if (bytesRead === 0) throw changed(file, 'it became shorter');
    got += bytesRead;
  }
  return body;
}

export function changed(file: string, how: string): ContentChangedError {
  return new ContentChangedError(`${file} changed while it was being stored (${how}); nothing was stored`, file);
}

/** The digest the upload was meant to carry must be the digest of the bytes actually sent. */
export function checkWhole(file: string, whole: Hash, expected: string): void {
  const got = whole.digest('hex');
  if (got !== expected) throw changed(file, `sha256 of the bytes sent ${got}, expected ${expected}`);
}
