import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN } from '../support/helpers.js';

/**
 * `mlctl --help | head -1`: the reader closes the pipe before mlctl is done writing. A real shell
 * pipeline into `head -c 1` (not a simulation), so the write after the close meets EPIPE.
 */
describe('a reader that stops early', () => {
  for (const args of ['--help', 'gc --help', 'adr --help'])
    it(`mlctl ${args} | head -c 1: leaves quietly, exit 0, no stack trace`, () => {
      const r = spawnSync(
        'bash',
        [
          '-c',
          `set -o pipefail; node ${JSON.stringify(BIN)} ${args} 2>err.txt | head -c 1 >/dev/null; echo "rc=$?"; cat err.txt`,
        ],
        { encoding: 'utf8', cwd: process.env.TMPDIR ?? '/tmp', timeout: 30_000 },
      );
      expect(r.stdout).toMatch(/^rc=0\n/);
      expect(r.stdout).not.toMatch(/EPIPE|Unhandled|at .*\.js:\d+/);
    });
});
