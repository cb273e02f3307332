import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnBin, tempDir, type RunResult } from './helpers.js';
import type { PausePhase } from '../../src/core/rollout/pause-phases.js';

/**
 * A command held at a phase of its rollout step by the test-only MLCTL_TEST_PAUSE (src/cli/test-pause.ts):
 * `paused()` resolves once it is there (bounded), then the test either `release()`s it or `kill()`s it.
 */
export interface HeldCommand {
  paused(): Promise<void>;
  release(): void;
  /** kill -9, once paused: the process dies exactly at the phase. */
  kill(): Promise<RunResult>;
  done: Promise<RunResult>;
}

export function holdAt(
  phase: PausePhase,
  args: string[],
  o: { cwd: string; env?: Record<string, string | undefined> },
): HeldCommand {
  const dir = tempDir('mlctl-pause-');
  const proc = spawnBin(args, { ...o, env: { ...o.env, MLCTL_TEST_PAUSE: `${phase}:${dir}` } });
  const marker = join(dir, `${phase}.paused`);
  let ended: RunResult | null = null;
  void proc.done.then((r) => (ended = r));
  return {
    async paused() {
      // Bounded: a command that ends (or never gets there) fails the test with what it said.
      for (let i = 0; i < 3000 && !existsSync(marker); i++) {
        if (ended)
          throw new Error(`mlctl ${args.join(' ')} ended before ${phase} (exit ${ended.code}): ${ended.stderr}`);
        await sleep(20);
      }
      if (!existsSync(marker)) throw new Error(`mlctl ${args.join(' ')} did not reach ${phase} within 60 s`);
    },
    release() {
      writeFileSync(join(dir, `${phase}.release`), '');
    },
    async kill() {
      process.kill(Number(readFileSync(marker, 'utf8').trim()), 'SIGKILL');
      return proc.done;
    },
    done: proc.done,
  };
}
