import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx } from '../output.js';
import { UsageError } from '../../core/errors.js';

function parsePort(v: string): number {
  if (!/^[0-9]{1,5}$/.test(v) || Number(v) > 65535)
    throw new UsageError(
      `--port must be a whole number from 0 to 65535 (0 picks a free port), got ${JSON.stringify(v)}`,
    );
  return Number(v);
}

export function registerUi(program: Command, deps: Deps): void {
  program
    .command('ui')
    .description('serve the registry as read-only web pages (models, versions, gate runs, rollouts, audit log)')
    .option('--port <n>', 'port to listen on; 0 picks a free one', parsePort, 8484)
    .option('--host <host>', 'address to bind (a non-loopback address requires the printed token)', '127.0.0.1')
    .option('--open', 'open the URL in the default browser')
    .addHelpText(
      'after',
      `
Pages: /  /models/<model>  /models/<model>/<version|alias>  /gate-runs/<id>  /rollouts/<id>
       /audit?model=&ref=&action=&actor=&since=&until=&limit=   (the filters of mlctl audit)

The first line of output is the URL. Every request reads the registry afresh, so the pages follow
changes (a shared registry on S3 too). Only GET and HEAD are answered. Bound to anything but
127.0.0.1/localhost/::1, the server generates a token that every request must carry (the printed
URL has it; a cookie carries it after the first visit). Ctrl-C stops it (exit 130, like any
interrupted mlctl command).

Examples:
  $ mlctl ui --open
  $ mlctl ui --port 0                       # a free port; read the URL from the first line
  $ mlctl ui --host 0.0.0.0 --port 8484     # reachable from other machines, with a token`,
    )
    .action(async (opts: { port: number; host: string; open?: boolean }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { runUi } = await import('../ui/run.js');
      await runUi(deps, ctx, opts);
    });
}
