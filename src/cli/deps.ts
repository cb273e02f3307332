import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import type { Io } from './io.js';
import type { Clock } from '../ports/clock.js';
import type { Registry } from '../ports/registry.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { CodeGit } from '../ports/git.js';
import type { GitOps } from '../ports/gitops.js';
import type { PullRequests } from '../ports/pull-requests.js';
import type { Exec } from '../ports/exec.js';
import type { Prompter } from '../ports/prompter.js';
import type { Progress } from '../ports/progress.js';
import type { ConfigOverrides, ProjectSettings, ResolvedConfig } from '../core/config/index.js';
import type { SharedRegistryAdmin } from '../ports/shared-registry.js';
import type { RegistryMover } from '../ports/registry-mover.js';
import type { OpenContext } from '../adapters/registry/open-registry.js';
import type { HashCache } from '../ports/hash-cache.js';
import { UsageError } from '../core/errors.js';
import { makeProgress } from './progress.js';

export type Env = Record<string, string | undefined>;

/**
 * Everything a command touches comes through here, so a test can run any command with buffered
 * streams, a fixed clock (MLCTL_NOW) and its own environment. Heavy adapters load on first use.
 */
export interface Deps {
  io: Io;
  env: Env;
  cwd: string;
  clock: Clock;
  /** Set by the global flags before a command runs. */
  overrides: ConfigOverrides;
  /** The command line (for the shared registry's lock: who holds it doing what). */
  commandLine: string;
  /** mlctl.yaml, every section validated (defaults without one); loaded on first use (YAML costs start-up time). */
  settings(): Promise<ProjectSettings>;
  /** The settings + environment + flags: where the registry and artifacts are (needs mlctl.yaml or MLCTL_REGISTRY). */
  config(): Promise<ResolvedConfig>;
  /** `create`: a write that may create the registry; `replaceLost`: mlctl init --new-registry (shared). */
  registry(opts?: { create?: boolean; replaceLost?: boolean }): Promise<Registry>;
  artifacts(): Promise<BlobStore>;
  git(): Promise<CodeGit>;
  /** The GitOps repository holding `dir` (serving configs, ADRs). */
  gitops(dir: string): Promise<GitOps>;
  /**
   * Pull requests on the GitOps repository's host (git.mode: pull-request). `repository` is
   * git.repository from mlctl.yaml, `remoteUrl` the GitOps remote's URL; the token comes from the env.
   */
  pullRequests(o: { repository?: string | null; remoteUrl?: string | null }): Promise<PullRequests>;
  exec(): Promise<Exec>;
  /** The registry shared on S3 at `uri` (default: the configured registry), for its lock. */
  sharedRegistry(uri?: string): Promise<SharedRegistryAdmin>;
  /** Moves whole registries between a SQLite file, the S3-shared file and PostgreSQL (registry push/pull). */
  registryMover(progress: Progress): Promise<RegistryMover>;
  /** Questions on a terminal; callers check canPrompt() first and otherwise demand the flag. */
  prompter(): Promise<Prompter>;
  actor(): Promise<string>;
  progress(quiet?: boolean): Promise<Progress>;
  /** Digests of local files by (device, inode, size, mtime, ctime), in the user cache folder. */
  hashCache(): Promise<HashCache>;
  close(): Promise<void>;
}

export function clockFromEnv(env: Env): Clock {
  const fixed = env.MLCTL_NOW;
  if (fixed) {
    const t = new Date(fixed);
    if (Number.isNaN(t.getTime()))
      throw new UsageError(`MLCTL_NOW=${JSON.stringify(fixed)} is not an ISO time such as 2026-01-31T12:00:00Z`);
    return { now: () => new Date(t) };
  }
  return { now: () => new Date() };
}

function gitEmail(cwd: string): Promise<string | undefined> {
  return new Promise((res) => {
    execFile('git', ['config', 'user.email'], { cwd, timeout: 5_000 }, (err, stdout) =>
      res(err ? undefined : stdout.trim() || undefined),
    );
  });
}

export function makeDeps(io: Io, env: Env, cwd: string): Deps {
  let settings: ProjectSettings | undefined;
  let config: ResolvedConfig | undefined;
  let registry: Registry | undefined;
  let store: BlobStore | undefined;
  let actor: string | undefined;
  let hashCache: HashCache | undefined;
  const deps: Deps = {
    io,
    env,
    cwd,
    clock: clockFromEnv(env),
    overrides: {},
    commandLine: 'mlctl',
    async settings() {
      if (!settings) {
        const { loadSettings } = await import('../core/config/index.js');
        // --pr (set by the command before it loads anything) beats git.mode and rollback.mode.
        settings = loadSettings(cwd, { gitMode: deps.overrides.gitMode, rollbackMode: deps.overrides.rollbackMode });
      }
      return settings;
    },
    async config() {
      if (!config) {
        const loaded = await deps.settings();
        const { resolveProject } = await import('../core/config/index.js');
        config = resolveProject(loaded, cwd, env, deps.overrides);
      }
      return config;
    },
    async registry(opts = {}) {
      if (registry) return registry;
      const cfg = await deps.config();
      const { openRegistry } = await import('../adapters/registry/open-registry.js');
      registry = await openRegistry(cfg.registry, await openContext(deps, cfg, opts));
      return registry;
    },
    async artifacts() {
      if (store) return store;
      const a = (await deps.config()).artifacts;
      if (a.kind === 'fs') {
        const { FsBlobStore } = await import('../adapters/blob/fs-store.js');
        store = new FsBlobStore(a.path);
      } else {
        const { S3BlobStore } = await import('../adapters/blob/s3-store.js');
        store = new S3BlobStore(a);
      }
      return store;
    },
    async git() {
      const { CliCodeGit } = await import('../adapters/git/code-info.js');
      return new CliCodeGit();
    },
    async gitops(dir: string) {
      const { CliGitOps } = await import('../adapters/git/gitops.js');
      return CliGitOps.open(dir);
    },
    async pullRequests(o) {
      const { GitHubPullRequests } = await import('../adapters/github/pull-requests.js');
      return GitHubPullRequests.fromEnv({ env, ...o });
    },
    async exec() {
      const { ExecaExec } = await import('../adapters/exec/execa-exec.js');
      return new ExecaExec();
    },
    async sharedRegistry(uri?: string) {
      const cfg = await deps.config();
      const target = uri ?? cfg.registry;
      if (!target.startsWith('s3://'))
        throw new UsageError(
          `the registry is ${target}, not shared on S3; set registry: s3://bucket/prefix/registry.db in mlctl.yaml (or pass --registry)`,
        );
      const { sharedRemote } = await import('../adapters/registry/s3-remote.js');
      const t = await import('../adapters/registry/registry-transfer.js');
      const remote = sharedRemote(target, cfg.s3, env);
      return {
        uri: remote.uri,
        status: (now) => t.sharedStatus(remote, now),
        unlock: (id) => t.unlockShared(remote, id),
      };
    },
    async registryMover(progress) {
      const cfg = await deps.config();
      const { makeRegistryMover } = await import('../adapters/registry/move-registry.js');
      return makeRegistryMover({ s3: cfg.s3, env, progress });
    },
    async prompter() {
      const { InquirerPrompter } = await import('../adapters/prompter/inquirer.js');
      return new InquirerPrompter(io.in, io.err);
    },
    async actor() {
      if (actor) return actor;
      actor =
        env.MLCTL_ACTOR ||
        (env.GITHUB_ACTIONS === 'true' ? env.GITHUB_ACTOR : undefined) ||
        (await gitEmail(cwd)) ||
        `${safeUser()}@${hostname()}`;
      return actor;
    },
    progress(quiet = false) {
      return makeProgress(io, quiet);
    },
    async hashCache() {
      if (hashCache) return hashCache;
      const { SqliteHashCache } = await import('../adapters/hash-cache/sqlite-hash-cache.js');
      hashCache = SqliteHashCache.open(join(cacheRoot(env), 'hash-cache', 'hashes.db'));
      return hashCache;
    },
    async close() {
      const r = registry;
      registry = undefined;
      hashCache?.close();
      hashCache = undefined;
      await r?.close();
    },
  };
  return deps;
}

/** Where shared registries and the hash cache live: MLCTL_CACHE_DIR, else $XDG_CACHE_HOME/mlctl, else ~/.cache/mlctl. */
export function cacheRoot(env: Env): string {
  if (env.MLCTL_CACHE_DIR) return env.MLCTL_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'mlctl');
  return join(env.HOME || homedir(), '.cache', 'mlctl');
}

async function openContext(
  deps: Deps,
  cfg: ResolvedConfig,
  opts: { create?: boolean; replaceLost?: boolean },
): Promise<OpenContext> {
  const { parseDuration } = await import('../core/util/duration.js');
  return {
    create: !!opts.create,
    replaceLost: !!opts.replaceLost,
    s3: cfg.s3,
    env: deps.env,
    cacheRoot: cacheRoot(deps.env),
    offline: !!deps.overrides.offline,
    lockTimeoutMs: deps.overrides.lockTimeoutMs ?? 30_000,
    lockTtlMs: deps.env.MLCTL_LOCK_TTL ? parseDuration(deps.env.MLCTL_LOCK_TTL, 'MLCTL_LOCK_TTL') : 10 * 60_000,
    clock: deps.clock,
    actor: () => deps.actor(),
    command: deps.commandLine,
    note: (t) => deps.io.err.write(`${t}\n`),
  };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
