import type { Deps } from '../deps.js';
import { UsageError } from '../../core/errors.js';
import { canPrompt } from '../io.js';
import { adrContext } from './adr.js';
import type { PromoteContext } from '../../core/promote/direct.js';
import type { Exec } from '../../ports/exec.js';

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
  const { readRolloutConfig, readGitConfig } = await import('../../core/rollout/plan.js');
  const rollout = readRolloutConfig(cfg.raw, file);
  const git = readGitConfig(cfg.raw.git, file);
  let exec: Exec | undefined;
  return {
    registry: await deps.registry(),
    clock: deps.clock,
    actor: await deps.actor(),
    adr: flags.adr === false ? null : await adrContext(deps, cfg),
    policy: () => {
      throw new Error('the gate policy was not loaded: call withPolicy() first');
    },
    rollout,
    step: {
      root: cfg.root,
      git: {
        commit: flags.commit !== false && git.commit,
        push: !!flags.push || git.push,
        remote: git.remote,
        allowDirty: !!flags.allowDirty,
      },
      openGit: (dir: string) => deps.gitops(dir),
    },
    store: () => deps.artifacts(),
    checks: { exec: async () => (exec ??= await deps.exec()), fetch: globalThis.fetch, cwd: cfg.root },
  };
}

/** The gate policy in force, loaded only where a decision needs it (starting a rollout or a promotion), not for stage changes. */
export async function withPolicy(deps: Deps, pctx: PromoteContext): Promise<PromoteContext> {
  const cfg = await deps.config();
  const { readGatesConfig, loadCurrentPolicy } = await import('../../core/gates/gates-config.js');
  const policy = loadCurrentPolicy(cfg.root, readGatesConfig(cfg.raw.gates, cfg.file ?? 'mlctl.yaml'));
  return { ...pctx, policy: () => policy };
}

export async function confirmOrYes(deps: Deps, yes: boolean, question: string, flagHint: string): Promise<void> {
  if (yes) return;
  if (!canPrompt(deps.io, deps.env))
    throw new UsageError(
      `${flagHint} changes production and needs confirmation: pass --yes (no terminal to ask on${deps.env.CI ? ', CI is set' : ''})`,
    );
  const ok = await (await deps.prompter()).confirm(question, false);
  if (!ok) throw new UsageError('not confirmed; nothing changed');
}
