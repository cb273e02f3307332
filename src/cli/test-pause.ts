import { existsSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../core/errors.js';
import { PAUSE_PHASES, type PausePhase } from '../core/rollout/pause-phases.js';

/** How long a paused step waits for its release before giving up (a test that forgot it must not hang). */
const MAX_WAIT_MS = 120_000;
const POLL_MS = 20;

/**
 * TEST-ONLY (ARCHITECTURE.md, "Tests"): `MLCTL_TEST_PAUSE=<phase>:<dir>` holds a rollout step at
 * `<phase>` — it writes `<dir>/<phase>.paused` (this process's pid) and waits, bounded, for
 * `<dir>/<phase>.release` — so a test can kill -9 the process at an exact point, or line two racing
 * commands up. Without the variable (every normal run) there is no pause and no file is touched.
 */
export function testPause(env: Record<string, string | undefined>): ((phase: PausePhase) => Promise<void>) | undefined {
  const spec = env.MLCTL_TEST_PAUSE;
  if (!spec) return undefined;
  const at = spec.indexOf(':');
  const phase = spec.slice(0, at) as PausePhase;
  const dir = spec.slice(at + 1);
  if (at < 0 || !PAUSE_PHASES.includes(phase) || !isAbsolute(dir) || !existsSync(dir))
    throw new UsageError(
      `MLCTL_TEST_PAUSE=${JSON.stringify(spec)}: a test-only setting, <phase>:<existing absolute folder> with phase one of ${PAUSE_PHASES.join(', ')}; unset it`,
    );
  return async (p) => {
    if (p !== phase) return;
    const release = join(dir, `${phase}.release`);
    writeFileSync(join(dir, `${phase}.paused`), `${process.pid}\n`);
    for (let waited = 0; !existsSync(release); waited += POLL_MS) {
      if (waited >= MAX_WAIT_MS) throw new Error(`MLCTL_TEST_PAUSE: ${release} did not appear within 120 s`);
      await sleep(POLL_MS);
    }
  };
}
