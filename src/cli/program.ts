import { Command, Option } from 'commander';
import type { Deps } from './deps.js';
import { setRunningCommand } from './interrupt.js';

type Registrar = (program: Command, deps: Deps) => void;

/**
 * Every command, in the order `mlctl --help` lists them, with the names it answers to. A run loads
 * only the module of the command it names (each one pulls in its renderers and option parsing):
 * start-up time is paid per command, not for all of them; help and unknown names load them all.
 */
export const COMMANDS: ReadonlyArray<{ names: readonly string[]; load: () => Promise<Registrar> }> = [
  { names: ['init'], load: async () => (await import('./commands/init.js')).registerInit },
  { names: ['register'], load: async () => (await import('./commands/register.js')).registerRegister },
  { names: ['list', 'ls'], load: async () => (await import('./commands/list.js')).registerList },
  { names: ['show'], load: async () => (await import('./commands/show.js')).registerShow },
  { names: ['diff'], load: async () => (await import('./commands/diff.js')).registerDiff },
  { names: ['pull'], load: async () => (await import('./commands/pull.js')).registerPull },
  { names: ['verify'], load: async () => (await import('./commands/verify.js')).registerVerify },
  { names: ['alias'], load: async () => (await import('./commands/alias.js')).registerAlias },
  { names: ['tag'], load: async () => (await import('./commands/tag.js')).registerTag },
  { names: ['archive'], load: async () => (await import('./commands/archive.js')).registerArchive },
  { names: ['gc'], load: async () => (await import('./commands/gc.js')).registerGc },
  { names: ['gate'], load: async () => (await import('./commands/gate.js')).registerGate },
  { names: ['adr'], load: async () => (await import('./commands/adr.js')).registerAdr },
  { names: ['promote'], load: async () => (await import('./commands/promote.js')).registerPromote },
  { names: ['rollback'], load: async () => (await import('./commands/rollback.js')).registerRollback },
  { names: ['rollout'], load: async () => (await import('./commands/rollout.js')).registerRollout },
  { names: ['capacity'], load: async () => (await import('./commands/capacity.js')).registerCapacity },
  { names: ['registry'], load: async () => (await import('./commands/registry.js')).registerRegistry },
  { names: ['doctor'], load: async () => (await import('./commands/doctor.js')).registerDoctor },
  { names: ['audit'], load: async () => (await import('./commands/audit.js')).registerAudit },
  { names: ['lineage'], load: async () => (await import('./commands/lineage.js')).registerLineage },
  { names: ['report'], load: async () => (await import('./commands/report.js')).registerReport },
  { names: ['ui'], load: async () => (await import('./commands/ui.js')).registerUi },
];

/** Global options that take a value: the word after them is not the command. */
const VALUED = new Set(['--registry', '--artifacts', '--lock-timeout']);

/** The command word of `argv` (the first word that is neither a global option nor its value). */
export function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return undefined;
    if (!a.startsWith('-')) return a;
    if (VALUED.has(a)) i++;
  }
  return undefined;
}

export const VERSION = '0.1.0';

/** The CLI for `argv`: the global options and the command it names (all commands when it names none). */
export async function buildProgram(deps: Deps, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('mlctl')
    .description('Control plane for production ML models: registry, gates, rollouts, audit.')
    .version(VERSION, '-V, --version')
    .addOption(new Option('--json', 'print one JSON document: {ok, command, data, warnings, errors}'))
    .addOption(new Option('--registry <path|uri>', 'registry database (overrides MLCTL_REGISTRY and mlctl.yaml)'))
    .addOption(
      new Option('--artifacts <path|uri>', 'artifact store: folder or s3://bucket/prefix (overrides MLCTL_ARTIFACTS)'),
    )
    .addOption(new Option('--offline', 'shared registry on S3: read the cached copy without contacting S3'))
    .addOption(
      new Option(
        '--lock-timeout <duration>',
        'shared registry on S3: how long a write waits for the lock (default 30s)',
      ),
    )
    .addOption(new Option('-q, --quiet', 'no notes or progress on stderr'))
    .addOption(new Option('--debug', 'print stack traces on errors'))
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.io.out.write(s),
      writeErr: (s) => deps.io.err.write(s),
      // One line: commander's "(Did you mean …?)" suggestion joins the message.
      outputError: (s, write) =>
        write(
          `mlctl: ${s
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')}; see --help\n`,
        ),
    })
    .addHelpText(
      'after',
      `
Examples:
  $ mlctl init --yes
  $ mlctl register fraud model/ --metrics metrics.json --schema schema.json --data data/train.parquet
  $ mlctl list fraud
  $ mlctl show fraud@latest
  $ mlctl diff fraud@1 fraud@2
  $ mlctl pull fraud@champion --to ./serving/fraud

Exit codes: 0 ok, 1 negative verdict, 2 usage/input error, 3 storage/infrastructure, 4 auth, 5 inconclusive.`,
    );
  const word = commandWord(argv);
  const named = COMMANDS.find((c) => word !== undefined && c.names.includes(word));
  const registrars = await Promise.all((named ? [named] : COMMANDS).map((c) => c.load()));
  for (const register of registrars) register(program, deps);
  // An interrupt says what the running command leaves behind (cli/interrupt.ts).
  program.hook('preAction', (_root, action) => {
    const names: string[] = [];
    for (let c: Command | null = action; c?.parent; c = c.parent) names.unshift(c.name());
    setRunningCommand(names.join(' '));
  });
  return program;
}
