import { afterAll, describe, expect, it } from 'vitest';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBin, tempDir, tempProject } from '../support/helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('one hash cache shared by concurrent mlctl processes', () => {
  it('four registers creating and filling a new cache at once all succeed, then all hit', async () => {
    const cache = tempDir('mlctl-shared-hash-cache-');
    dirs.push(cache);
    const projects = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const dir = await tempProject();
        dirs.push(dir);
        writeFileSync(join(dir, 'model.bin'), `weights ${i}`.repeat(1000));
        return dir;
      }),
    );
    // Past the racy window (100 ms) so that the first round records every digest; bounded wait.
    for (let i = 0; i < 100; i++) {
      const newest = Math.max(...projects.map((d) => statSync(join(d, 'model.bin')).ctimeMs));
      if (Date.now() - newest > 150) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const round = () =>
      Promise.all(
        projects.map((dir) =>
          runBin(['register', 'm', 'model.bin', '--allow-duplicate', '--json'], {
            cwd: dir,
            env: { MLCTL_CACHE_DIR: cache },
          }),
        ),
      );
    for (const expected of [0, 1]) {
      const results = await round();
      for (const r of results) {
        expect(r.code, r.stderr).toBe(0);
        const out = JSON.parse(r.stdout);
        expect(out.warnings).toEqual([]);
        expect(out.data.hashing).toMatchObject({ files: 1, cached: expected });
      }
    }
  });
});
