import { Command, Option } from 'commander';
import type { Deps } from './deps.js';
import { setRunningCommand } from './interrupt.js';
import { registerInit } from './commands/init.js';
import { registerRegister } from './commands/register.js';
import { registerList } from './commands/list.js';
import { registerShow } from './commands/show.js';
import { registerDiff } from './commands/diff.js';
import { registerPull } from './commands/pull.js';
import { registerVerify } from './commands/verify.js';
import { registerAlias } from './commands/alias.js';
import { registerTag } from './commands/tag.js';
import { registerArchive } from './commands/archive.js';
import { registerGc } from './commands/gc.js';
import { registerGate } from './commands/gate.js';
import { registerAdr } from './commands/adr.js';
import { registerPromote } from './commands/promote.js';
import { registerRollback } from './commands/rollback.js';
import { registerRollout } from './commands/rollout.js';
import { registerRegistry } from './commands/registry.js';
import { registerDoctor } from './commands/doctor.js';
import { registerAudit } from './commands/audit.js';
import { registerLineage } from './commands/lineage.js';
import { registerReport } from './commands/report.js';
import { registerUi } from './commands/ui.js';
import { registerCapacity } from './commands/capacity.js';

export const VERSION = '0.1.0';

export function buildProgram(deps: Deps): Command {
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
  // In the order `mlctl --help` lists them.
  for (const register of [
    registerInit,
    registerRegister,
    registerList,
    registerShow,
    registerDiff,
    registerPull,
    registerVerify,
    registerAlias,
    registerTag,
    registerArchive,
    registerGc,
    registerGate,
    registerAdr,
    registerPromote,
    registerRollback,
    registerRollout,
    registerCapacity,
    registerRegistry,
    registerDoctor,
    registerAudit,
    registerLineage,
    registerReport,
    registerUi,
  ])
    register(program, deps);
  // An interrupt says what the running command leaves behind (cli/interrupt.ts).
  program.hook('preAction', (_root, action) => {
    const names: string[] = [];
    for (let c: Command | null = action; c?.parent; c = c.parent) names.unshift(c.name());
    setRunningCommand(names.join(' '));
  });
  return program;
}
