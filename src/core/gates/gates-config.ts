import { z } from 'zod';
import { UsageError } from '../errors.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseDuration } from '../util/duration.js';
import { loadPolicy, type LoadedPolicy } from './policy.js';

const GatesConfig = z
  .object({
    policy: z.string().min(1).optional(),
    eval: z
      .object({
        command: z.string().min(1),
        dataset: z.string().min(1).optional(),
        timeout: z.string().default('30m'),
      })
      .strict()
      .optional(),
  })
  .strict();

export interface GatesSettings {
  policy?: string;
  eval?: { command: string; dataset?: string; timeoutMs: number };
}

/** The `gates:` section of mlctl.yaml. */
export function readGatesConfig(raw: unknown, file: string): GatesSettings {
  if (raw === undefined || raw === null) return {};
  const r = GatesConfig.safeParse(raw);
  if (!r.success) {
    const iss = r.error.issues[0]!;
    const key = iss.code === 'unrecognized_keys' ? `: unknown key ${JSON.stringify(iss.keys[0])}` : `: ${iss.message}`;
    throw new UsageError(`${file}: gates.${iss.path.join('.')}${key}`);
  }
  const e = r.data.eval;
  return {
    policy: r.data.policy,
    eval: e
      ? { command: e.command, dataset: e.dataset, timeoutMs: parseDuration(e.timeout, `${file}: gates.eval.timeout`) }
      : undefined,
  };
}

/** The policy in force: `gates.policy` from mlctl.yaml, else gates.yaml, relative to the project root. */
export function currentPolicyLocation(root: string, settings: GatesSettings): { path: string; label: string } {
  const label = settings.policy ?? 'gates.yaml';
  return { path: join(root, label), label };
}

/** The policy in force, or null when the project has none yet. */
export function loadCurrentPolicy(root: string, settings: GatesSettings): LoadedPolicy | null {
  const { path, label } = currentPolicyLocation(root, settings);
  return existsSync(path) ? loadPolicy(path, label) : null;
}
