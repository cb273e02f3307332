import { PassThrough } from 'node:stream';
import { makeDeps, type Deps } from '../../src/cli/deps.js';
import { rolloutContext } from '../../src/cli/contexts.js';
import { baseEnv } from './helpers.js';
import type { Io } from '../../src/cli/io.js';
import type { RolloutContext } from '../../src/core/rollout/context.js';

function quietDeps(dir: string, env: Record<string, string | undefined>): Deps {
  const io: Io = {
    out: new PassThrough(),
    err: new PassThrough(),
    in: new PassThrough(),
    outIsTTY: false,
    errIsTTY: false,
    inIsTTY: false,
    color: false,
  };
  return makeDeps(io, baseEnv(env), dir);
}

/**
 * The RolloutContext mlctl builds for the project in `dir` (its real registry, config, git and
 * checks), for calling core's planning and apply functions directly. Closes the registry after `fn`.
 */
export async function withRolloutContext<T>(
  dir: string,
  fn: (ctx: RolloutContext) => Promise<T>,
  env: Record<string, string | undefined> = {},
): Promise<T> {
  const deps = quietDeps(dir, env);
  try {
    return await fn(await rolloutContext(deps, {}));
  } finally {
    await deps.close();
  }
}
