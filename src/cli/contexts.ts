import { testPause } from './test-pause.js';
import { UsageError } from '../core/errors.js';
import type { Deps } from './deps.js';
import type { Exec } from '../ports/exec.js';
import type { PullRequests } from '../ports/pull-requests.js';
import type { RolloutContext } from '../core/rollout/context.js';
import type { ProjectAdrContext } from '../core/adr/context.js';
import type { LoadedPolicy } from '../core/gates/policy.js';

/*
 * Core functions take their dependencies as context objects; these build them from Deps, so each
 * command makes one call and core never sees commander, the process or an adapter's construction.
 */

export interface StepFlags {
  adr?: boolean;
  commit?: boolean;
  push?: boolean;
  allowDirty?: boolean;
  /** --pr: this command's steps as pull requests (beats git.mode). */
  pr?: boolean;
  /** mlctl rollback --pr: the rollback as a pull request too (beats rollback.mode). */
  prRollback?: boolean;
}

/**
 * What promote, rollback and every rollout command work with: registry, serving/rollout config, git,
 * checks. `warnings`: where core's warnings go (the command's --json envelope and stderr).
 */
export async function rolloutContext(deps: Deps, flags: StepFlags, warnings: string[] = []): Promise<RolloutContext> {
  // Before the settings load: a flag beats mlctl.yaml.
  if (flags.pr) deps.overrides.gitMode = 'pull-request';
  if (flags.prRollback) deps.overrides.rollbackMode = 'pull-request';
  const cfg = await deps.config();
  if (flags.commit === false && cfg.git.mode === 'pull-request')
    throw new UsageError(
      `--no-commit cannot go with ${flags.pr ? '--pr' : 'git.mode: pull-request'}: a pull request carries the step's commit; leave one of them out`,
    );
  let exec: Exec | undefined;
  let host: Promise<PullRequests> | undefined;
  let policy: Promise<LoadedPolicy | null> | undefined;
  return {
    registry: await deps.registry(),
    clock: deps.clock,
    actor: await deps.actor(),
    adr: flags.adr === false ? null : await adrContext(deps),
    // Loaded only where a decision needs it (starting a rollout, a promotion), not for stage changes:
    // the policy's schema library is kept off that path.
    policy: () =>
      (policy ??= import('../core/gates/current-policy.js').then((m) => m.loadCurrentPolicy(cfg.root, cfg.gates))),
    rollout: cfg.rollout,
    step: {
      root: cfg.root,
      git: {
        commit: flags.commit !== false && cfg.git.commit,
        push: !!flags.push || cfg.git.push,
        remote: cfg.git.remote,
        allowDirty: !!flags.allowDirty,
      },
      openGit: (dir: string) => deps.gitops(dir),
      pause: testPause(deps.env),
    },
    store: () => deps.artifacts(),
    checks: { exec: async () => (exec ??= await deps.exec()), fetch: globalThis.fetch, cwd: cfg.root },
    warn: (message) => {
      if (!warnings.includes(message)) warnings.push(message);
    },
    pullRequests: {
      steps: cfg.git.mode === 'pull-request',
      rollbacks: cfg.rollback.mode === 'pull-request',
      settings: cfg.git.pullRequest,
      // Made on first use: a command with nothing to open or look at never needs a token.
      host: (git) =>
        (host ??= git
          .remoteUrl(cfg.git.remote)
          .then((remoteUrl) => deps.pullRequests({ repository: cfg.git.repository, remoteUrl }))),
    },
  };
}

/** ADR settings from mlctl.yaml when there is one; the adr commands also work without it. */
export async function adrContext(deps: Deps): Promise<ProjectAdrContext> {
  const { adrContextFor } = await import('../core/adr/context.js');
  const { templatesDir } = await import('./templates.js');
  return adrContextFor(await deps.settings(), {
    cwd: deps.cwd,
    packageTemplates: templatesDir(),
    now: deps.clock.now(),
    actor: await deps.actor(),
  });
}
