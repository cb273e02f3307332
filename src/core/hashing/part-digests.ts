import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { sha256File } from './digest.js';

// The whole-file digest runs in a worker while this thread hashes the parts: two cores, one wall-clock pass.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const fd = openSync(workerData.file, 'r');
const buf = Buffer.allocUnsafe(1 << 20);
const h = createHash('sha256');
let size = 0;
try {
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    h.update(n === buf.length ? buf : buf.subarray(0, n));
    size += n;
  }
} finally { closeSync(fd); }
parentPort.postMessage({ sha256: h.digest('hex'), size });
`;

function wholeFileInWorker(file: string): Promise<{ sha256: string; size: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { file } });
    w.once('message', (m: { sha256: string; size: number }) => resolve(m));
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`hash worker exited with ${code}`));
    });
  });
}

async function partDigests(file: string, partSize: number, onBytes?: (n: number) => void): Promise<string[]> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    const parts: string[] = [];
    let h = createHash('sha256');
    let inPart = 0;
    for (;;) {
      const want = Math.min(buf.length, partSize - inPart);
      const { bytesRead } = await fh.read(buf, 0, want, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      inPart += bytesRead;
      onBytes?.(bytesRead);
      if (inPart === partSize) {
        parts.push(h.digest('base64'));
        h = createHash('sha256');
        inPart = 0;
      }
    }
    if (inPart > 0) parts.push(h.digest('base64'));
    return parts;
  } finally {
    await fh.close();
  }
}

/** sha256 of the file plus the sha256 (base64) of each `partSize` slice, as multipart uploads need. */
export async function sha256WithParts(file: string, partSize: number | undefined, size: number, onBytes?: (n: number) => void) {
  if (!partSize || size <= partSize) return { ...(await sha256File(file, onBytes)), parts: undefined };
  const [whole, parts] = await Promise.all([wholeFileInWorker(file), partDigests(file, partSize, onBytes)]);
  return { ...whole, parts };
}
