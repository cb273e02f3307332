import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { CONFIG_FILE, findConfig, readConfigDoc, type ConfigDoc } from './file.js';
import { Shape } from './shape.js';
import { readStoreSettings, resolveStores, DEFAULT_REGISTRY, type StoreSettings } from './store.js';
import type { ArtifactLocation, S3Connection, StoreOverrides } from './store.js';
import { readGatesSettings, type GatesSettings } from './gates.js';
import { readRolloutConfig, type RolloutConfig } from './rollout.js';
import { readGitConfig, readRollbackConfig, type GitConfig, type GitMode, type RollbackConfig } from './git.js';
import { readAdrSettings, type AdrSettings } from './adr.js';
import { readGcSettings, type GcSettings } from './gc.js';

export { CONFIG_FILE, findConfig } from './file.js';
export { DEFAULT_ARTIFACTS, DEFAULT_REGISTRY } from './store.js';
export { parseS3Uri, isS3Uri, isS3ObjectUri, S3_URI_HINT } from './s3-uri.js';
export type { ArtifactLocation, S3Connection } from './store.js';
export type { GatesSettings } from './gates.js';
export type { RolloutConfig, StageSpec, HealthCheckSpec } from './rollout.js';
export type { ServingSpec } from './serving.js';
export type { GitConfig, GitMode, PullRequestSettings, RollbackConfig } from './git.js';
export type { AdrSettings } from './adr.js';
export type { GcSettings } from './gc.js';

/** Every section of mlctl.yaml, validated (a project without mlctl.yaml gets the defaults). */
export interface ProjectSettings {
  /** Folder holding mlctl.yaml (or the working directory when there is none). */
  root: string;
  file?: string;
  stores: StoreSettings;
  gates: GatesSettings;
  rollout: RolloutConfig;
  git: GitConfig;
  rollback: RollbackConfig;
  adr: AdrSettings;
  gc: GcSettings;
}

/** A command's flags that beat settings of mlctl.yaml (--pr). */
export interface SettingsOverrides {
  /** --pr: steps as pull requests, whatever git.mode says. */
  gitMode?: GitMode;
  /** --pr on mlctl rollback: this rollback as a pull request, whatever rollback.mode says. */
  rollbackMode?: GitMode;
}

/** Validate every section: an invalid one is refused by every command that loads the config. */
export function readSettings(doc: ConfigDoc | null, root: string, flags: SettingsOverrides = {}): ProjectSettings {
  const s = doc?.sections ?? {};
  const sh = new Shape(doc?.doc ?? { label: CONFIG_FILE, lineOf: () => undefined });
  const git = readGitConfig(sh, s.git, flags.gitMode);
  return {
    root,
    file: doc?.file,
    stores: readStoreSettings(sh, s),
    gates: readGatesSettings(sh, s.gates),
    rollout: readRolloutConfig(sh, s),
    git,
    rollback: readRollbackConfig(sh, s.rollback, git, flags.rollbackMode),
    adr: readAdrSettings(sh, s.adr),
    gc: readGcSettings(sh, s.gc),
  };
}

/** mlctl.yaml found from `cwd` (if any), every section validated. */
export function loadSettings(cwd: string, flags: SettingsOverrides = {}): ProjectSettings {
  const file = findConfig(cwd);
  return readSettings(file ? readConfigDoc(file) : null, file ? dirname(file) : resolve(cwd), flags);
}

export interface ResolvedConfig extends ProjectSettings {
  registry: string;
  artifacts: ArtifactLocation;
  s3: S3Connection;
}

export interface ConfigOverrides extends StoreOverrides, SettingsOverrides {
  /** Shared registry: use the cached copy without asking S3 (read commands only). */
  offline?: boolean;
  /** Shared registry: how long a write waits for someone else's lock. */
  lockTimeoutMs?: number;
}

/**
 * Precedence: flags, then MLCTL_* environment, then mlctl.yaml, then the embedded defaults.
 * Without mlctl.yaml and without an explicit registry, commands refuse rather than silently
 * creating a registry in whatever folder they were run from.
 */
export function resolveConfig(
  cwd: string,
  env: Record<string, string | undefined>,
  flags: ConfigOverrides = {},
): ResolvedConfig {
  return resolveProject(loadSettings(cwd, flags), cwd, env, flags);
}

/** resolveConfig for settings already loaded (a command that read them without needing a registry first). */
export function resolveProject(
  settings: ProjectSettings,
  cwd: string,
  env: Record<string, string | undefined>,
  flags: ConfigOverrides = {},
): ResolvedConfig {
  const stores = resolveStores(settings.root, settings.stores, env, flags);
  if (!settings.file && stores.registry === undefined)
    throw new UsageError(
      `no ${CONFIG_FILE} found in ${resolve(cwd)} or any parent folder; run 'mlctl init --yes' here, or set MLCTL_REGISTRY`,
    );
  return {
    ...settings,
    registry: stores.registry ?? join(settings.root, DEFAULT_REGISTRY),
    artifacts: stores.artifacts,
    s3: stores.s3,
  };
}
