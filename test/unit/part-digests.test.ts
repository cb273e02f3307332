import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256WithParts } from '../../src/core/hashing/part-digests.js';
import { tempDir } from '../support/helpers.js';

describe('sha256WithParts', () => {
  it('returns the whole-file digest and one base64 digest per part, the last one short', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 777);
    const f = join(tempDir(), 'f.bin');
    writeFileSync(f, data);
    const part = 2 * 1024 * 1024;
    let ticked = 0;
    const r = await sha256WithParts(f, part, data.length, (n) => (ticked += n));
    expect(r.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(r.size).toBe(data.length);
    expect(r.parts).toEqual([0, 1, 2].map((i) => createHash('sha256').update(data.subarray(i * part, (i + 1) * part)).digest('base64')));
    expect(ticked).toBe(data.length);
  });
  it('skips part digests for files that fit in one part', async () => {
    const f = join(tempDir(), 'f.bin');
    writeFileSync(f, 'small');
    const r = await sha256WithParts(f, 1024, 5);
    expect(r).toEqual({ sha256: createHash('sha256').update('small').digest('hex'), size: 5, parts: undefined });
  });
});
