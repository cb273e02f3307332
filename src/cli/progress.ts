import type { Progress } from '../ports/progress.js';
import type { Io } from './io.js';
import { formatBytes } from '../core/util/text.js';

type Bar = {
  start(total: number, value: number, payload?: object): void;
  increment(n: number, payload?: object): void;
  stop(): void;
};

/** A byte-progress bar on stderr, only when stderr is a terminal (never in logs or CI). */
export async function makeProgress(io: Io, quiet: boolean): Promise<Progress> {
  if (quiet || !io.errIsTTY) return { start() {}, tick() {}, stop() {} };
  const { default: cliProgress } = await import('cli-progress');
  let bar: Bar | undefined;
  let unit: 'bytes' | 'items' = 'bytes';
  let done = 0;
  let total = 0;
  return {
    start(label, t, u) {
      bar?.stop();
      unit = u;
      done = 0;
      total = t;
      if (t === 0) return;
      bar = new cliProgress.SingleBar(
        {
          stream: io.err as NodeJS.WriteStream,
          format: `${label.padEnd(11)} {bar} {percentage}% | {done}/{size} | {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: true,
          fps: 10,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(t, 0, { done: fmt(0), size: fmt(t) });
    },
    tick(n) {
      done += n;
      bar?.increment(n, { done: fmt(done), size: fmt(total) });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
  function fmt(n: number) {
    return unit === 'bytes' ? formatBytes(n) : String(n);
  }
}
