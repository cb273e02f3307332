import { rmSync } from 'node:fs';
import { pendingTemps } from '../core/util/temp-files.js';

let installed = false;
let override: ((signal: NodeJS.Signals) => void) | null = null;

/**
 * What an interrupted command leaves, said after "interrupted": only what is true of that command.
 * A register's transaction is rolled back by SQLite itself; a pull keeps the files it finished
 * (each verified before it was renamed into place), and running it again completes it.
 */
const LEFT: Record<string, string> = {
  register: 'temporary files removed, nothing was registered',
  pull: 'partial downloads removed; the files already pulled are complete and verified — run the same mlctl pull again to finish',
};
let running = '';

/** The command being run (e.g. "pull", "rollout start"), set by the program before its action runs. */
export function setRunningCommand(name: string): void {
  running = name;
}

/** Ctrl-C or SIGTERM: remove the temp files in flight and exit 130. */
export function installInterruptHandler(err: NodeJS.WritableStream): void {
  installed = true;
  const onSignal = (signal: NodeJS.Signals) => {
    if (override) return override(signal);
    for (const f of pendingTemps()) rmSync(f, { force: true });
    err.write(`\nmlctl: interrupted (${signal}); ${LEFT[running] ?? 'temporary files removed'}\n`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

/**
 * A long-running command (mlctl ui) that stops on Ctrl-C/SIGTERM by itself, instead of the
 * process exiting at once. Returns a function that restores the default.
 */
export function onInterrupt(fn: (signal: NodeJS.Signals) => void): () => void {
  if (installed) {
    override = fn;
    return () => {
      override = null;
    };
  }
  process.once('SIGINT', fn);
  process.once('SIGTERM', fn);
  return () => {
    process.off('SIGINT', fn);
    process.off('SIGTERM', fn);
  };
}
