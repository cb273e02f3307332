import type { Command } from 'commander';
import type { Deps } from './deps.js';
import { envelope } from './render/json.js';
import { parseDuration } from '../core/util/duration.js';
import { InconclusiveError, StorageError, VerdictError } from '../core/errors.js';

export interface GlobalOpts {
  json?: boolean;
  debug?: boolean;
  quiet?: boolean;
  registry?: string;
  artifacts?: string;
  offline?: boolean;
  lockTimeout?: string;
}

export interface CommandCtx {
  deps: Deps;
  name: string;
  json: boolean;
  quiet: boolean;
  warnings: string[];
}

/** The global flags, applied to deps before the command runs. */
export function commandCtx(deps: Deps, cmd: Command): CommandCtx {
  const g = cmd.optsWithGlobals() as GlobalOpts;
  if (g.registry) deps.overrides.registry = g.registry;
  if (g.artifacts) deps.overrides.artifacts = g.artifacts;
  if (g.offline) deps.overrides.offline = true;
  if (g.lockTimeout) deps.overrides.lockTimeoutMs = parseDuration(g.lockTimeout, '--lock-timeout');
  const path: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) path.unshift(c.name());
  return { deps, name: path.join(' '), json: !!g.json, quiet: !!g.quiet, warnings: [] };
}

/** Data to stdout: the JSON envelope with --json, else the human rendering. */
export function emit(ctx: CommandCtx, data: unknown, human: () => string): void {
  if (ctx.json) ctx.deps.io.out.write(envelope(ctx.name, data, ctx.warnings));
  else {
    ctx.deps.io.out.write(human());
    for (const w of ctx.warnings) ctx.deps.io.err.write(`warning: ${w}\n`);
  }
}

/** Notes and progress go to stderr so stdout stays machine-readable. */
export function note(ctx: CommandCtx, text: string): void {
  if (!ctx.quiet && !ctx.json) ctx.deps.io.err.write(`${text}\n`);
}

/** Render a verdict (verify, gate…): on a negative one the output is still complete, then exit 1. */
export function emitVerdict(ctx: CommandCtx, data: unknown, human: () => string, ok: boolean, failure: string, outcome: 'negative' | 'inconclusive' | 'storage' = 'negative'): void {
  if (ctx.json) {
    ctx.deps.io.out.write(envelope(ctx.name, data, ctx.warnings, ok ? [] : [{ kind: outcome === 'negative' ? 'verdict' : outcome, message: failure }]));
  } else {
    ctx.deps.io.out.write(human());
    for (const w of ctx.warnings) ctx.deps.io.err.write(`warning: ${w}\n`);
  }
  if (!ok) {
    const e = outcome === 'inconclusive' ? new InconclusiveError(failure) : outcome === 'storage' ? new StorageError(failure) : new VerdictError(failure);
    e.reported = ctx.json;
    throw e;
  }
}
