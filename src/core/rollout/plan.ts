import { UsageError } from '../errors.js';
import { parseDuration } from '../util/duration.js';
import { adapterFor } from '../serving/adapters.js';

type Stage = {
  stage: 'shadow' | 'canary' | 'ramp' | 'full';
  mirror?: number;
  weight?: number;
  minDuration?: string;
  checks: string[];
  auto: boolean;
};
type Check =
  | { prometheus: { url: string; query: string; min?: number; max?: number; timeout: string } }
  | { command: string; min?: number; max?: number; timeout: string };
type Serving = { adapter: 'kserve' | 'istio' | 'seldon' | 'generic'; files: string[]; plan: string };

/*
 * These sections of mlctl.yaml are checked by hand, like the rest of it (core/config.ts): every
 * stage change reads them, and loading a schema library costs a stage change ~40 ms of start-up.
 */
class Shape {
  constructor(
    readonly file: string,
    /** Where a setting sits in the file, when the caller has the document (ResolvedConfig.lineOf). */
    private readonly lineOf?: (path: Array<string | number>) => number | undefined,
  ) {}
  fail(path: Array<string | number>, message: string, at: Array<string | number> = path): never {
    const line = this.lineOf?.(at);
    throw new UsageError(
      `${this.file}: ${path
        .map(String)
        .join('.')
        .replace(/\.(\d+)(?=\.|$)/g, '[$1]')}: ${message}${line ? ` (line ${line})` : ''}`,
    );
  }
  map(v: unknown, path: Array<string | number>, keys: readonly string[]): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'must be a mapping');
    for (const k of Object.keys(v))
      if (!keys.includes(k)) this.fail(path, `unknown key ${JSON.stringify(k)}; use ${keys.join(', ')}`, [...path, k]);
    return v as Record<string, unknown>;
  }
  record(v: unknown, path: Array<string | number>): Record<string, unknown> {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'must be a mapping');
    return v as Record<string, unknown>;
  }
  str(v: unknown, path: Array<string | number>, what = 'a non-empty string'): string {
    if (typeof v !== 'string' || v === '') this.fail(path, `must be ${what}`);
    return v;
  }
  num(v: unknown, path: Array<string | number>, lo: number, hi: number, int = false): number {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v)))
      this.fail(path, `must be a ${int ? 'whole ' : ''}number from ${lo} to ${hi}, got ${JSON.stringify(v)}`);
    return v;
  }
  optNum(v: unknown, path: Array<string | number>): number | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, `must be a number, got ${JSON.stringify(v)}`);
    return v;
  }
  bool(v: unknown, path: Array<string | number>, dflt: boolean): boolean {
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') this.fail(path, 'must be true or false');
    return v;
  }
  strList(v: unknown, path: Array<string | number>, min = 0): string[] {
    if (v === undefined && min === 0) return [];
    if (!Array.isArray(v) || v.length < min)
      this.fail(path, min ? `must be a list of at least ${min} item(s)` : 'must be a list');
    return v.map((x, i) => this.str(x, [...path, i]));
  }
  oneOf<T extends string>(v: unknown, path: Array<string | number>, options: readonly T[]): T {
    if (typeof v !== 'string' || !options.includes(v as T))
      this.fail(path, `must be one of ${options.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  }
}

const STAGES = ['shadow', 'canary', 'ramp', 'full'] as const;
const ADAPTERS = ['kserve', 'istio', 'seldon', 'generic'] as const;

function readStage(sh: Shape, v: unknown, path: Array<string | number>): Stage {
  const m = sh.map(v, path, ['stage', 'mirror', 'weight', 'minDuration', 'checks', 'auto']);
  return {
    stage: sh.oneOf(m.stage, [...path, 'stage'], STAGES),
    ...(m.mirror !== undefined ? { mirror: sh.num(m.mirror, [...path, 'mirror'], Number.MIN_VALUE, 100) } : {}),
    ...(m.weight !== undefined ? { weight: sh.num(m.weight, [...path, 'weight'], 1, 99, true) } : {}),
    ...(m.minDuration !== undefined ? { minDuration: sh.str(m.minDuration, [...path, 'minDuration']) } : {}),
    checks: sh.strList(m.checks, [...path, 'checks']),
    auto: sh.bool(m.auto, [...path, 'auto'], false),
  };
}

function readCheck(sh: Shape, v: unknown, path: Array<string | number>): Check {
  const m = sh.map(v, path, ['prometheus', 'command', 'min', 'max', 'timeout']);
  if (m.prometheus !== undefined) {
    if (m.command !== undefined || m.min !== undefined || m.max !== undefined || m.timeout !== undefined)
      sh.fail(path, 'a prometheus check keeps min, max and timeout inside prometheus: { … }');
    const p = sh.map(m.prometheus, [...path, 'prometheus'], ['url', 'query', 'min', 'max', 'timeout']);
    const url = sh.str(p.url, [...path, 'prometheus', 'url']);
    if (!/^https?:\/\/[^\s/]+/.test(url))
      sh.fail(
        [...path, 'prometheus', 'url'],
        `must be a URL such as http://prometheus:9090, got ${JSON.stringify(url)}`,
      );
    return {
      prometheus: {
        url,
        query: sh.str(p.query, [...path, 'prometheus', 'query']),
        min: sh.optNum(p.min, [...path, 'prometheus', 'min']),
        max: sh.optNum(p.max, [...path, 'prometheus', 'max']),
        timeout: p.timeout === undefined ? '10s' : sh.str(p.timeout, [...path, 'prometheus', 'timeout']),
      },
    };
  }
  if (m.command === undefined) sh.fail(path, 'needs prometheus: { url, query } or command: "…"');
  return {
    command: sh.str(m.command, [...path, 'command']),
    min: sh.optNum(m.min, [...path, 'min']),
    max: sh.optNum(m.max, [...path, 'max']),
    timeout: m.timeout === undefined ? '5m' : sh.str(m.timeout, [...path, 'timeout']),
  };
}

export type StageSpec = Stage & { minDurationMs: number };
export type CheckSpec = Check;
export type ServingSpec = Serving;

/** Works without configuration: shadow → canary 5% → ramp 25% → ramp 50% → full. */
export const STANDARD_PLAN = [
  { stage: 'shadow', mirror: 100, minDuration: '1h', checks: [] },
  { stage: 'canary', weight: 5, minDuration: '30m', checks: [] },
  { stage: 'ramp', weight: 25, minDuration: '30m', checks: [] },
  { stage: 'ramp', weight: 50, minDuration: '30m', checks: [] },
  { stage: 'full' },
] as const;

export interface RolloutConfig {
  serving: Record<string, ServingSpec>;
  plans: Record<string, StageSpec[]>;
  checks: Record<string, CheckSpec>;
}

/**
 * `serving:` and `rollout:` from mlctl.yaml, validated together: every plan must end at `full`,
 * name only defined checks, and suit each model's adapter (KServe cannot shadow).
 */
export function readRolloutConfig(raw: { serving?: unknown; rollout?: unknown }, file: string): RolloutConfig {
  const sh = new Shape(file);
  const serving: Record<string, Serving> = {};
  for (const [model, v] of Object.entries(sh.record(raw.serving, ['serving']))) {
    const m = sh.map(v, ['serving', model], ['adapter', 'files', 'plan']);
    serving[model] = {
      adapter: sh.oneOf(m.adapter, ['serving', model, 'adapter'], ADAPTERS),
      files: sh.strList(m.files, ['serving', model, 'files'], 1),
      plan: m.plan === undefined ? 'standard' : sh.str(m.plan, ['serving', model, 'plan']),
    };
  }
  const r =
    raw.rollout === undefined || raw.rollout === null ? {} : sh.map(raw.rollout, ['rollout'], ['plans', 'checks']);
  const checks: Record<string, Check> = {};
  for (const [name, v] of Object.entries(sh.record(r.checks, ['rollout', 'checks'])))
    checks[name] = readCheck(sh, v, ['rollout', 'checks', name]);
  const userPlans: Record<string, Stage[]> = {};
  for (const [name, v] of Object.entries(sh.record(r.plans, ['rollout', 'plans']))) {
    if (!Array.isArray(v) || v.length === 0)
      sh.fail(['rollout', 'plans', name], 'must be a list of at least one stage');
    userPlans[name] = (v as unknown[]).map((st, i) => readStage(sh, st, ['rollout', 'plans', name, i]));
  }
  const plans: Record<string, StageSpec[]> = {};
  const all: Record<string, Stage[]> = {
    standard: STANDARD_PLAN.map((st, i) => readStage(sh, st, ['rollout', 'plans', 'standard', i])),
    ...userPlans,
  };
  for (const [name, stages] of Object.entries(all)) {
    const parsed = stages.map((st, i) => {
      const where = `${file}: rollout.plans.${name}[${i}]`;
      if (st.stage === 'shadow' && st.mirror === undefined)
        throw new UsageError(`${where}: a shadow stage needs mirror: <percent>`);
      if ((st.stage === 'canary' || st.stage === 'ramp') && st.weight === undefined)
        throw new UsageError(`${where}: a ${st.stage} stage needs weight: <percent>`);
      if (st.stage === 'full' && (st.weight !== undefined || st.mirror !== undefined))
        throw new UsageError(`${where}: full sends all traffic to the candidate; remove weight/mirror`);
      for (const c of st.checks)
        if (!(c in checks))
          throw new UsageError(`${where}: unknown check ${JSON.stringify(c)}; define it under rollout.checks`);
      return { ...st, minDurationMs: st.minDuration ? parseDuration(st.minDuration, `${where}.minDuration`) : 0 };
    });
    if (parsed[parsed.length - 1]!.stage !== 'full')
      throw new UsageError(`${file}: rollout.plans.${name}: the last stage must be full`);
    if (parsed.slice(0, -1).some((st) => st.stage === 'full'))
      throw new UsageError(`${file}: rollout.plans.${name}: full must be the last stage`);
    let last = 0;
    for (const [i, st] of parsed.entries()) {
      if (st.weight !== undefined && st.weight < last)
        throw new UsageError(
          `${file}: rollout.plans.${name}[${i}]: weights must not decrease (${st.weight} after ${last})`,
        );
      last = st.weight ?? last;
    }
    plans[name] = parsed;
  }
  for (const [model, s] of Object.entries(serving)) {
    const plan = plans[s.plan];
    if (!plan)
      throw new UsageError(
        `${file}: serving.${model}.plan: unknown plan ${JSON.stringify(s.plan)}; define it under rollout.plans (or use standard)`,
      );
    if (!adapterFor(s.adapter).supportsShadow && plan.some((st) => st.stage === 'shadow')) {
      throw new UsageError(
        `${file}: serving.${model}: plan ${s.plan} has a shadow stage, which ${s.adapter} cannot do on its own; use the istio adapter, or drop the shadow stage`,
      );
    }
  }
  return { serving, plans, checks };
}

export type GitMode = 'commit' | 'pull-request';

export interface PullRequestSettings {
  labels: string[];
  /** GitHub user logins. */
  reviewers: string[];
  /** Team slugs (without the organization). */
  teamReviewers: string[];
  draft: boolean;
}

export interface GitConfig {
  commit: boolean;
  push: boolean;
  remote: string;
  /** commit: each step is a commit on the checked-out branch; pull-request: a branch and a pull request (ADR 14). */
  mode: GitMode;
  /** owner/name on the host; null: GITHUB_REPOSITORY or the remote URL decide. */
  repository: string | null;
  pullRequest: PullRequestSettings;
}

type LineOf = (path: Array<string | number>) => number | undefined;

const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const TEAM = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * `git:` from mlctl.yaml: commit each step (default), push it (off by default), to which remote;
 * or, with `mode: pull-request`, open a pull request per step (`repository`, `pullRequest`).
 * `mode` overrides the file's (a command's --pr flag).
 */
export function readGitConfig(raw: unknown, file: string, o: { lineOf?: LineOf; mode?: GitMode } = {}): GitConfig {
  const sh = new Shape(file, o.lineOf);
  const none: PullRequestSettings = { labels: [], reviewers: [], teamReviewers: [], draft: false };
  if (raw === undefined || raw === null)
    return {
      commit: true,
      push: false,
      remote: 'origin',
      mode: o.mode ?? 'commit',
      repository: null,
      pullRequest: none,
    };
  const m = sh.map(raw, ['git'], ['commit', 'push', 'remote', 'mode', 'repository', 'pullRequest']);
  const mode: GitMode =
    o.mode ??
    (m.mode === undefined ? 'commit' : sh.oneOf(m.mode, ['git', 'mode'], ['commit', 'pull-request'] as const));
  if (mode === 'pull-request') {
    if (m.commit === false)
      sh.fail(
        ['git', 'commit'],
        'false cannot go with git.mode: pull-request (a pull request carries the commit); remove it',
      );
    if (m.push === false)
      sh.fail(
        ['git', 'push'],
        "false cannot go with git.mode: pull-request (the step's branch is always pushed); remove it",
      );
  }
  let repository: string | null = null;
  if (m.repository !== undefined) {
    repository = sh.str(m.repository, ['git', 'repository']);
    if (!REPOSITORY.test(repository))
      sh.fail(['git', 'repository'], `must be owner/name such as acme/deploy, got ${JSON.stringify(repository)}`);
  }
  let pullRequest = none;
  if (m.pullRequest !== undefined && m.pullRequest !== null) {
    const path = ['git', 'pullRequest'];
    const p = sh.map(m.pullRequest, path, ['labels', 'reviewers', 'team_reviewers', 'draft']);
    const labels = sh.strList(p.labels, [...path, 'labels']);
    labels.forEach((l, i) => {
      if (l.length > 50) sh.fail([...path, 'labels', i], 'must be at most 50 characters (a GitHub label)');
    });
    const reviewers = sh.strList(p.reviewers, [...path, 'reviewers']);
    reviewers.forEach((r, i) => {
      if (!LOGIN.test(r))
        sh.fail(
          [...path, 'reviewers', i],
          r.includes('/')
            ? `${JSON.stringify(r)} looks like a team; put its slug under git.pullRequest.team_reviewers`
            : `must be a GitHub user name such as alice, got ${JSON.stringify(r)}`,
        );
    });
    const teamReviewers = sh.strList(p.team_reviewers, [...path, 'team_reviewers']);
    teamReviewers.forEach((t, i) => {
      if (!TEAM.test(t))
        sh.fail(
          [...path, 'team_reviewers', i],
          t.includes('/')
            ? `use the team's slug without the organization, e.g. ${JSON.stringify(t.split('/').pop())}`
            : `must be a team slug such as ml-platform, got ${JSON.stringify(t)}`,
        );
    });
    pullRequest = { labels, reviewers, teamReviewers, draft: sh.bool(p.draft, [...path, 'draft'], false) };
  }
  return {
    commit: sh.bool(m.commit, ['git', 'commit'], true),
    // As written: in pull-request mode the step's branch is pushed whatever this says.
    push: sh.bool(m.push, ['git', 'push'], false),
    remote: m.remote === undefined ? 'origin' : sh.str(m.remote, ['git', 'remote']),
    mode,
    repository,
    pullRequest,
  };
}

export interface RollbackConfig {
  /** How aborts and rollbacks land: an urgent pull request, or a commit pushed straight to the branch. */
  mode: GitMode;
}

/**
 * `rollback:` from mlctl.yaml. Its mode defaults to git.mode; `commit` under git.mode: pull-request
 * lets the rollback bot push directly (the branch must allow it); `pull-request` needs git.mode:
 * pull-request (a plain commit-mode project has no pull requests to open).
 */
export function readRollbackConfig(
  raw: unknown,
  git: GitConfig,
  file: string,
  o: { lineOf?: LineOf } = {},
): RollbackConfig {
  const sh = new Shape(file, o.lineOf);
  if (raw === undefined || raw === null) return { mode: git.mode };
  const m = sh.map(raw, ['rollback'], ['mode']);
  if (m.mode === undefined) return { mode: git.mode };
  const mode = sh.oneOf(m.mode, ['rollback', 'mode'], ['commit', 'pull-request'] as const);
  if (mode === 'pull-request' && git.mode !== 'pull-request')
    sh.fail(['rollback', 'mode'], 'pull-request needs git.mode: pull-request too; remove rollback.mode, or set both');
  return { mode };
}
