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
  /** Speak the GitHub runner's language: in Actions (GITHUB_ACTIONS=true) unless --json, or asked for (gate --output github). */
  github: boolean;
}

/**
 * A command's own GitHub rendering (gate's per-check annotations, Markdown summary and outputs);
 * whatever it leaves out is derived from the text, the warnings and the data as for any command.
 */
export interface GithubView {
  /** The group's title (default: mlctl <command>). */
  title?: string;
  /** Fold the text into a group even when it is short. */
  group?: boolean;
  annotations?: gh.Annotation[];
  /** Markdown for the job summary. */
  summary?: string;
  outputs?: Record<string, string>;
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
  const json = !!g.json;
  return {
    deps,
    name: path.join(' '),
    json,
    quiet: !!g.quiet,
    warnings: [],
    github: deps.env.GITHUB_ACTIONS === 'true' && !json,
  };
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
function emitGithub(
  ctx: CommandCtx,
  data: unknown,
  text: string,
  ok: boolean,
  failure: string | undefined,
  view: GithubView = {},
): void {
  const { out } = ctx.deps.io;
  const title = view.title ?? `mlctl ${ctx.name}`;
  for (const secret of new Set(text.match(PRESIGNED) ?? [])) out.write(`::add-mask::${secret}\n`);
  out.write(
    view.group || text.split('\n').length > 20
      ? `::group::${title}\n${text.endsWith('\n') ? text : `${text}\n`}::endgroup::\n`
      : text,
  );
  const notes = [
    ...(view.annotations ?? []),
    ...ctx.warnings.map((message) => ({ level: 'warning' as const, message, title: `mlctl ${ctx.name}` })),
  ];
  out.write(gh.annotations(notes));
  // The failure itself is never among the annotations left out for the per-type limit.
  if (!ok) out.write(gh.annotations([{ level: 'error', message: failure ?? 'failed', title: `mlctl ${ctx.name}` }]));
  const env = ctx.deps.env;
  if (env.GITHUB_STEP_SUMMARY) {
    const fence = '````';
    gh.appendStepSummary(
      env.GITHUB_STEP_SUMMARY,
      view.summary ??
        `### ${ok ? '✅' : '❌'} \`mlctl ${ctx.name}\`\n\n${fence}\n${text.replace(PRESIGNED, '***').trimEnd()}\n${fence}\n${ctx.warnings.map((w) => `\n> ⚠️ ${w}`).join('')}${ok ? '' : `\n> ❌ ${failure}\n`}`,
    );
  }
  if (env.GITHUB_OUTPUT) gh.writeOutputs(env.GITHUB_OUTPUT, view.outputs ?? outputsOf(data));
}

/** Data to stdout: the JSON envelope with --json, GitHub output in Actions, else the human rendering. */
export async function emit(ctx: CommandCtx, data: unknown, human: () => string): Promise<void> {
  if (ctx.json) ctx.deps.io.out.write(envelope(ctx.name, data, ctx.warnings));
  else if (ctx.github) emitGithub(ctx, data, human(), true, undefined);
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
  github?: GithubView,
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
  } else if (ctx.github) {
    emitGithub(ctx, data, human(), ok, failure, github);
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
    e.reported = ctx.json || ctx.github;
    throw e;
  }
}
