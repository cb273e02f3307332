import type { Hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ContentChangedError } from '../../core/errors.js';
import { SMALL_FILE } from '../../core/hashing/digest.js';

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

/** The first `size` bytes of a file sent in one request (small files read in one synchronous call). */
export async function readSmall(file: string, size: number): Promise<Buffer> {
  if (size <= SMALL_FILE) {
    const all = readFileSync(file);
    if (all.length < size) throw changed(file, 'it became shorter');
    return all.subarray(0, size);
  }
  const fh = await open(file, 'r');
  try {
    return await readAt(fh, file, 0, size);
  } finally {
    await fh.close();
  }
}

export function changed(file: string, how: string): ContentChangedError {
  return new ContentChangedError(`${file} changed while it was being stored (${how}); nothing was stored`, file);
}

/** The digest the upload was meant to carry must be the digest of the bytes actually sent. */
export function checkWhole(file: string, whole: Hash, expected: string): void {
  const got = whole.digest('hex');
  if (got !== expected) throw changed(file, `sha256 of the bytes sent ${got}, expected ${expected}`);
}
