import type { Shape } from './shape.js';

/** `git:` in mlctl.yaml: commit each rollout step (default), push it (off by default), to which remote. */
export interface GitConfig {
  commit: boolean;
  push: boolean;
  remote: string;
}

export function readGitConfig(sh: Shape, raw: unknown): GitConfig {
  if (raw === undefined || raw === null) return { commit: true, push: false, remote: 'origin' };
  const m = sh.map(raw, ['git'], ['commit', 'push', 'remote']);
  return {
    commit: sh.bool(m.commit, ['git', 'commit'], true),
    push: sh.bool(m.push, ['git', 'push'], false),
    remote: m.remote === undefined ? 'origin' : sh.str(m.remote, ['git', 'remote']),
  };
}
