import type { Command } from 'commander';
import type { Deps } from './deps.js';
import { envelope } from './render/json.js';
import { parseDuration } from '../core/util/duration.js';
import * as gh from './render/github.js';
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
  /** The command rendered GitHub output itself (gate --output github): emit must not add its own. */
  githubDone?: boolean;
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

/** In GitHub Actions (GITHUB_ACTIONS=true) every reporting command speaks the runner's language. */
export function githubMode(ctx: CommandCtx): boolean {
  return ctx.deps.env.GITHUB_ACTIONS === 'true' && !ctx.json && !ctx.githubDone;
}

const PRESIGNED = /https?:\/\/[^\s"']*[?&]X-Amz-(?:Signature|Credential)=[^\s"']*/g;

/** Step outputs from a result: its top-level scalar fields (candidate, champion, stage, next, commit…) and the whole result as `report`. */
function outputsOf(data: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    for (const [k, v] of Object.entries(data).slice(0, 30)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
        out[k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)] = String(v);
    }
  }
  out.report = JSON.stringify(data, null, 2);
  return out;
}

/**
 * GitHub output: secrets masked first, long text folded in a group, warnings as annotations (at
 * most 10 per type), a Markdown job summary, and step outputs with random heredoc delimiters.
 */
async function emitGithub(ctx: CommandCtx, data: unknown, text: string, ok: boolean, failure?: string): Promise<void> {
  const { out } = ctx.deps.io;
  for (const secret of new Set(text.match(PRESIGNED) ?? [])) out.write(`::add-mask::${secret}\n`);
  out.write(
    text.split('\n').length > 20
      ? `::group::mlctl ${ctx.name}\n${text.endsWith('\n') ? text : `${text}\n`}::endgroup::\n`
      : text,
  );
  const notes = [
    ...ctx.warnings.map((message) => ({ level: 'warning' as const, message, title: `mlctl ${ctx.name}` })),
    ...(ok ? [] : [{ level: 'error' as const, message: failure ?? 'failed', title: `mlctl ${ctx.name}` }]),
  ];
  out.write(gh.annotations(notes));
  const env = ctx.deps.env;
  if (env.GITHUB_STEP_SUMMARY) {
    const fence = '````';
    gh.appendStepSummary(
      env.GITHUB_STEP_SUMMARY,
      `### ${ok ? '✅' : '❌'} \`mlctl ${ctx.name}\`\n\n${fence}\n${text.replace(PRESIGNED, '***').trimEnd()}\n${fence}\n${ctx.warnings.map((w) => `\n> ⚠️ ${w}`).join('')}${ok ? '' : `\n> ❌ ${failure}\n`}`,
    );
  }
  if (env.GITHUB_OUTPUT) gh.writeOutputs(env.GITHUB_OUTPUT, outputsOf(data));
}

/** Data to stdout: the JSON envelope with --json, GitHub output in Actions, else the human rendering. */
export async function emit(ctx: CommandCtx, data: unknown, human: () => string): Promise<void> {
  if (ctx.json) ctx.deps.io.out.write(envelope(ctx.name, data, ctx.warnings));
  else if (githubMode(ctx)) await emitGithub(ctx, data, human(), true);
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
export async function emitVerdict(
  ctx: CommandCtx,
  data: unknown,
  human: () => string,
  ok: boolean,
  failure: string,
  outcome: 'negative' | 'inconclusive' | 'storage' = 'negative',
): Promise<void> {
  if (ctx.json) {
    ctx.deps.io.out.write(
      envelope(
        ctx.name,
        data,
        ctx.warnings,
        ok ? [] : [{ kind: outcome === 'negative' ? 'verdict' : outcome, message: failure }],
      ),
    );
  } else if (githubMode(ctx)) {
    await emitGithub(ctx, data, human(), ok, failure);
  } else {
    ctx.deps.io.out.write(human());
    for (const w of ctx.warnings) ctx.deps.io.err.write(`warning: ${w}\n`);
  }
  if (!ok) {
    const e =
      outcome === 'inconclusive'
        ? new InconclusiveError(failure)
        : outcome === 'storage'
          ? new StorageError(failure)
          : new VerdictError(failure);
    e.reported = ctx.json || githubMode(ctx);
    throw e;
  }
}
