import type { Readable, Writable } from 'node:stream';

export interface Io {
  out: Writable;
  err: Writable;
  in: Readable;
  outIsTTY: boolean;
  errIsTTY: boolean;
  inIsTTY: boolean;
  /** Colour on stdout: FORCE_COLOR wins, then NO_COLOR, then whether stdout is a terminal. */
  color: boolean;
}

export function colorEnabled(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

export function processIo(env: Record<string, string | undefined>): Io {
  const outIsTTY = !!process.stdout.isTTY;
  return {
    out: process.stdout,
    err: process.stderr,
    in: process.stdin,
    outIsTTY,
    errIsTTY: !!process.stderr.isTTY,
    inIsTTY: !!process.stdin.isTTY,
    color: colorEnabled(env, outIsTTY),
  };
}

/** Prompts are allowed only on a terminal and never in CI: a missing answer there is a usage error naming the flag. */
export function canPrompt(io: Io, env: Record<string, string | undefined>): boolean {
  return io.inIsTTY && io.errIsTTY && env.CI !== 'true' && env.CI !== '1';
}
