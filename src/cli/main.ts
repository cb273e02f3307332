import { CommanderError } from 'commander';
import { MlctlError, ExitCode } from '../core/errors.js';
import { fsFailure, isFsError } from '../core/util/fs-errors.js';
import { makeDeps, type Deps } from './deps.js';
import { processIo } from './io.js';
import { envelope } from './render/json.js';
import { escapeData, escapeProperty } from './render/github.js';
import { buildProgram, commandWord } from './program.js';
import { installInterruptHandler } from './interrupt.js';
import { configureInputLimits } from '../core/inputs/limits.js';

/** Run mlctl with argv (without node and script); resolves to the exit code. Never calls process.exit. */
export async function main(argv: string[], given?: Deps): Promise<number> {
  let deps: Deps;
  try {
    deps = given ?? makeDeps(processIo(process.env), process.env, process.cwd());
    if (!given) installInterruptHandler(process.stderr);
  } catch (err) {
    process.stderr.write(`mlctl: ${(err as Error).message}\n`);
    return ExitCode.usage;
  }
  try {
    configureInputLimits(deps.env);
  } catch (err) {
    deps.io.err.write(`mlctl: ${(err as Error).message}\n`);
    return ExitCode.usage;
  }
  const json = argv.includes('--json');
  const debug = argv.includes('--debug');
  deps.commandLine = ['mlctl', ...argv].join(' ').slice(0, 200);
  try {
    const program = await buildProgram(deps, argv);
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.ok;
  } catch (err) {
    return reportError(deps, err, { json, debug, command: commandWord(argv) ?? '' });
  } finally {
    await deps.close();
  }
}

export function reportError(deps: Deps, err: unknown, o: { json: boolean; debug: boolean; command: string }): number {
  // A full disk, a read-only folder, a permission: say which, wherever it came from.
  if (isFsError(err)) err = fsFailure(err);
  if (err instanceof CommanderError) {
    // Help and --version end through exitOverride too; they are successes.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
      return ExitCode.ok;
    if (o.json)
      deps.io.out.write(
        envelope(o.command, null, [], [{ kind: 'usage', message: err.message.replace(/^error: /, '') }]),
      );
    return ExitCode.usage;
  }
  if (err instanceof MlctlError) {
    if (!err.reported) {
      deps.io.err.write(`mlctl: ${err.message}\n`);
      // In GitHub Actions the failure is also an annotation on the run.
      if (!o.json && deps.env.GITHUB_ACTIONS === 'true')
        deps.io.out.write(`::error title=${escapeProperty(`mlctl ${o.command}`)}::${escapeData(err.message)}\n`);
      if (o.json) deps.io.out.write(envelope(o.command, null, [], [{ kind: err.kind, message: err.message }]));
    } else if (!o.json) deps.io.err.write(`mlctl: ${err.message}\n`);
    if (o.debug && err.stack) deps.io.err.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  deps.io.err.write(
    `mlctl: unexpected error: ${e?.message ?? String(err)}${o.debug ? '' : ' (run with --debug for details)'}\n`,
  );
  if (o.debug && e?.stack) deps.io.err.write(`${e.stack}\n`);
  if (o.json)
    deps.io.out.write(envelope(o.command, null, [], [{ kind: 'internal', message: e?.message ?? String(err) }]));
  return ExitCode.storage;
}
