import { rmSync } from 'node:fs';
import { pendingTemps } from '../core/util/temp-files.js';

let installed = false;
let override: ((signal: NodeJS.Signals) => void) | null = null;

/**
 * Ctrl-C or SIGTERM: remove the temp files in flight and exit 130. The registry needs nothing:
 * an uncommitted SQLite transaction is rolled back by SQLite itself.
 */
export function installInterruptHandler(err: NodeJS.WritableStream): void {
  installed = true;
  const onSignal = (signal: NodeJS.Signals) => {
    if (override) return override(signal);
    for (const f of pendingTemps()) rmSync(f, { force: true });
    err.write(`\nmlctl: interrupted (${signal}); partial downloads removed, nothing was registered\n`);
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
