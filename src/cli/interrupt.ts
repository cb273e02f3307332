import { rmSync } from 'node:fs';
import { pendingTemps } from '../core/util/temp-files.js';

/**
 * Ctrl-C or SIGTERM: remove the temp files in flight and exit 130. The registry needs nothing:
 * an uncommitted SQLite transaction is rolled back by SQLite itself.
 */
export function installInterruptHandler(err: NodeJS.WritableStream): void {
  const onSignal = (signal: NodeJS.Signals) => {
    for (const f of pendingTemps()) rmSync(f, { force: true });
    err.write(`\nmlctl: interrupted (${signal}); partial downloads removed, nothing was registered\n`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
