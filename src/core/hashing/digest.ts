import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { UsageError } from '../errors.js';

const HEX64 = /^[0-9a-f]{64}$/;

/** `sha256:HEX` (or bare HEX) → `sha256:hex`; anything else is a usage error naming `what`. */
export function normalizeDigest(text: string, what: string): string {
  const t = text.trim();
  const hex = t.startsWith('sha256:') ? t.slice(7) : t;
  if (!HEX64.test(hex.toLowerCase())) {
    throw new UsageError(`${what}: expected sha256: followed by 64 hex digits, got ${JSON.stringify(text)}`);
  }
  return `sha256:${hex.toLowerCase()}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

const READ_SIZE = 1 << 20; // 1 MiB reads: measured ≈1.2 GiB/s on this machine

/** Streaming sha256 of a file with a reused 1 MiB buffer. Returns hex digest and bytes read. */
export async function sha256File(
  file: string,
  onBytes?: (n: number) => void,
): Promise<{ sha256: string; size: number }> {
  const fh = await open(file, 'r');
  try {
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(READ_SIZE);
    let size = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, READ_SIZE, null);
      if (bytesRead === 0) break;
      hash.update(bytesRead === READ_SIZE ? buf : buf.subarray(0, bytesRead));
      size += bytesRead;
      onBytes?.(bytesRead);
    }
    return { sha256: hash.digest('hex'), size };
  } finally {
    await fh.close();
  }
}

/**
 * Files up to this size are read in one synchronous call: for a folder of thousands of small
 * files, the open/read/close round trips through the thread pool cost more than the bytes.
 */
export const SMALL_FILE = 64 << 10;

/** sha256 of a small file, read at once. */
export function sha256SmallFile(file: string, onBytes?: (n: number) => void): { sha256: string; size: number } {
  const body = readFileSync(file);
  onBytes?.(body.length);
  return { sha256: createHash('sha256').update(body).digest('hex'), size: body.length };
}
