import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { platform } from 'node:os';
import { makeDeps, type Deps } from '../deps.js';
import { note, type CommandCtx } from '../output.js';
import { envelope } from '../render/json.js';
import { InterruptedError, UsageError } from '../../core/errors.js';
import { onInterrupt } from '../interrupt.js';
import { LOOPBACK, startUi, type RunningUi } from './server.js';

/** The desktop's own opener; failing to open a browser only earns a note (the URL is printed). */
function openBrowser(url: string, onError: (m: string) => void): void {
  const [cmd, args] =
    platform() === 'darwin'
      ? ['open', [url]]
      : platform() === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', (e) => onError(`could not open a browser (${e.message}); open the URL above yourself`));
    child.unref();
  } catch (e) {
    onError(`could not open a browser (${(e as Error).message}); open the URL above yourself`);
  }
}

/** Serve until Ctrl-C/SIGTERM, then close the server and end as an interrupted command (exit 130). */
export async function runUi(
  deps: Deps,
  ctx: CommandCtx,
  opts: { port: number; host: string; open?: boolean },
): Promise<never> {
  const host = opts.host.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new UsageError('--host must name an address, e.g. 127.0.0.1 or 0.0.0.0');
  const token = LOOPBACK.has(host) ? null : randomBytes(24).toString('hex');
  // Fail now, not on the first page, when there is no registry.
  const location = (await deps.registry()).location;
  await deps.close();
  const perRequest = async () => {
    const d = makeDeps(deps.io, deps.env, deps.cwd);
    d.overrides = { ...deps.overrides };
    d.commandLine = deps.commandLine;
    return { registry: await d.registry(), close: () => d.close() };
  };
  let ui: RunningUi;
  try {
    ui = await startUi({
      host,
      port: opts.port,
      token,
      openRegistry: perRequest,
      now: () => deps.clock.now(),
      location,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE')
      throw new UsageError(`port ${opts.port} on ${host} is in use; choose another with --port (0 picks a free one)`);
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN')
      throw new UsageError(`cannot listen on ${host}: not an address of this machine (${e.code})`);
    if (e.code === 'EACCES')
      throw new UsageError(`not allowed to listen on ${host}:${opts.port}; use a port above 1023`);
    throw err;
  }
  note(
    ctx,
    `mlctl ui: serving ${location} read-only${token ? '; every request needs the token in the URL printed on stdout' : ''}; Ctrl-C stops`,
  );
  // One line either way: the URL (or the envelope holding it) is the first line of output.
  if (ctx.json)
    deps.io.out.write(
      `${JSON.stringify(JSON.parse(envelope(ctx.name, { url: ui.url, host, port: ui.port, registry: location })))}\n`,
    );
  else deps.io.out.write(`${ui.url}\n`);
  if (opts.open) openBrowser(ui.url, (m) => note(ctx, m));
  const signal = await new Promise<NodeJS.Signals>((stop) => {
    const restore = onInterrupt((s) => {
      restore();
      stop(s);
    });
  });
  await ui.close();
  const e = new InterruptedError(`ui stopped (${signal})`);
  e.reported = true;
  throw e;
}
