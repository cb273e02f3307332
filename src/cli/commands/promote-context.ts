import type { Deps } from '../deps.js';
import { UsageError } from '../../core/errors.js';
import { canPrompt } from '../io.js';
import { adrContext } from './adr.js';
import type { PromoteContext } from '../../core/promote/direct.js';

export interface StepFlags {
  adr?: boolean;
  commit?: boolean;
  push?: boolean;
  allowDirty?: boolean;
}

/** Everything promote, rollback and rollout need: registry, policy, serving/rollout config, git, checks. */
export async function promoteContext(deps: Deps, flags: StepFlags): Promise<PromoteContext> {
  const cfg = await deps.config();
  const file = cfg.file ?? 'mlctl.yaml';
  const { readGatesConfig, loadCurrentPolicy } = await import('../../core/gates/gates-config.js');
  const { readRolloutConfig, readGitConfig } = await import('../../core/rollout/plan.js');
  const rollout = readRolloutConfig(cfg.raw, file);
  const git = readGitConfig(cfg.raw.git, file);
  const settings = readGatesConfig(cfg.raw.gates, file);
  return {
    registry: await deps.registry(),
    clock: deps.clock,
    actor: await deps.actor(),
    adr: flags.adr === false ? null : await adrContext(deps),
    policy: loadCurrentPolicy(cfg.root, settings),
    rollout,
    step: {
      root: cfg.root,
      git: { commit: flags.commit !== false && git.commit, push: !!flags.push || git.push, remote: git.remote, allowDirty: !!flags.allowDirty },
      openGit: async (dir: string) => (await import('../../adapters/git/gitops.js')).SimpleGitOps.open(dir),
    },
    store: () => deps.artifacts(),
    checks: { exec: await deps.exec(), fetch: globalThis.fetch, cwd: cfg.root },
  };
}

export async function confirmOrYes(deps: Deps, yes: boolean, question: string, flagHint: string): Promise<void> {
  if (yes) return;
  if (!canPrompt(deps.io, deps.env)) throw new UsageError(`${flagHint} changes production and needs confirmation: pass --yes (no terminal to ask on${deps.env.CI ? ', CI is set' : ''})`);
  const ok = await (await deps.prompter()).confirm(question, false);
  if (!ok) throw new UsageError('not confirmed; nothing changed');
}
