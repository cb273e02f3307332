import type { Shape } from './shape.js';

/** `gates:` in mlctl.yaml: which policy file is in force, and how `mlctl gate --eval` evaluates a version. */
export interface GatesSettings {
  policy?: string;
  eval?: { command: string; dataset?: string; timeoutMs: number };
}

export function readGatesSettings(sh: Shape, raw: unknown): GatesSettings {
  if (raw === undefined || raw === null) return {};
  const g = sh.map(raw, ['gates'], ['policy', 'eval']);
  const out: GatesSettings = { policy: sh.optStr(g.policy, ['gates', 'policy'], 'a path such as gates.yaml') };
  if (g.eval !== undefined) {
    const e = sh.map(g.eval, ['gates', 'eval'], ['command', 'dataset', 'timeout']);
    out.eval = {
      command: sh.str(e.command, ['gates', 'eval', 'command'], 'a command line with {model_dir} and {output}'),
      dataset: sh.optStr(e.dataset, ['gates', 'eval', 'dataset'], 'a path'),
      timeoutMs: e.timeout === undefined ? 30 * 60_000 : sh.duration(e.timeout, ['gates', 'eval', 'timeout']),
    };
  }
  return out;
}
