import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';

/**
 * Zero `count` pages in the middle of an SQLite file (test code): the kind of damage a bad disk, a
 * torn copy or a stray write leaves. Returns the page numbers zeroed (1-based, as SQLite counts).
 */
export function zeroMiddlePages(file: string, count = 2): number[] {
  const fd = openSync(file, 'r+');
  try {
    const header = Buffer.alloc(18);
    readSync(fd, header, 0, 18, 0);
    const raw = header.readUInt16BE(16);
    const pageSize = raw === 1 ? 65536 : raw;
    const pages = Math.floor(statSync(file).size / pageSize);
    if (pages < count + 2) throw new Error(`${file} has only ${pages} pages`);
    const first = Math.max(2, Math.floor(pages / 2) - Math.floor(count / 2));
    const zero = Buffer.alloc(pageSize);
    const done: number[] = [];
    for (let p = first; p < first + count; p++) {
      writeSync(fd, zero, 0, pageSize, (p - 1) * pageSize);
      done.push(p);
    }
    return done;
  } finally {
    closeSync(fd);
  }
}
