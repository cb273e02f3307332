import type { Shape } from './shape.js';

export type GitMode = 'commit' | 'pull-request';

export interface PullRequestSettings {
  labels: string[];
  /** GitHub user logins. */
  reviewers: string[];
  /** Team slugs (without the organization). */
  teamReviewers: string[];
  draft: boolean;
}

/**
 * `git:` in mlctl.yaml: commit each rollout step (default), push it (off by default), to which
 * remote; or, with `mode: pull-request`, open a pull request per step (`repository`, `pullRequest`).
 */
export interface GitConfig {
  commit: boolean;
  push: boolean;
  remote: string;
  /** commit: each step is a commit on the checked-out branch; pull-request: a branch and a pull request. */
  mode: GitMode;
  /** owner/name on the host; null: GITHUB_REPOSITORY or the remote URL decide. */
  repository: string | null;
  pullRequest: PullRequestSettings;
}

const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const TEAM = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const MODES = ['commit', 'pull-request'] as const;

/** `override`: a command's --pr (flags beat the file). */
export function readGitConfig(sh: Shape, raw: unknown, override?: GitMode): GitConfig {
  const none: PullRequestSettings = { labels: [], reviewers: [], teamReviewers: [], draft: false };
  if (raw === undefined || raw === null)
    return {
      commit: true,
      push: false,
      remote: 'origin',
      mode: override ?? 'commit',
      repository: null,
      pullRequest: none,
    };
  const m = sh.map(raw, ['git'], ['commit', 'push', 'remote', 'mode', 'repository', 'pullRequest']);
  const written: GitMode = m.mode === undefined ? 'commit' : sh.oneOf(m.mode, ['git', 'mode'], MODES);
  const mode = override ?? written;
  if (mode === 'pull-request') {
    const why = override && written !== override ? '--pr' : 'git.mode: pull-request';
    if (m.commit === false)
      sh.fail(['git', 'commit'], `false cannot go with ${why} (a pull request carries the commit); remove it`);
    if (m.push === false)
      sh.fail(['git', 'push'], `false cannot go with ${why} (the step's branch is always pushed); remove it`);
  }
  let repository: string | null = null;
  if (m.repository !== undefined) {
    repository = sh.str(m.repository, ['git', 'repository']);
    if (!REPOSITORY.test(repository))
      sh.fail(['git', 'repository'], `must be owner/name such as acme/deploy, got ${JSON.stringify(repository)}`);
  }
  return {
    commit: sh.bool(m.commit, ['git', 'commit'], true),
    // As written: in pull-request mode the step's branch is pushed whatever this says.
    push: sh.bool(m.push, ['git', 'push'], false),
    remote: m.remote === undefined ? 'origin' : sh.str(m.remote, ['git', 'remote']),
    mode,
    repository,
    pullRequest: m.pullRequest === undefined || m.pullRequest === null ? none : readPullRequest(sh, m.pullRequest),
  };
}

function readPullRequest(sh: Shape, raw: unknown): PullRequestSettings {
  const path = ['git', 'pullRequest'];
  const p = sh.map(raw, path, ['labels', 'reviewers', 'team_reviewers', 'draft']);
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
  return { labels, reviewers, teamReviewers, draft: sh.bool(p.draft, [...path, 'draft'], false) };
}

/** `rollback:` in mlctl.yaml: how aborts and rollbacks land (an urgent pull request, or a direct commit). */
export interface RollbackConfig {
  mode: GitMode;
}

/**
 * `override`: the --pr of mlctl rollback (this rollback as a pull request, whatever the file says).
 * Its mode defaults to git.mode; `commit` under git.mode: pull-request lets the rollback bot push
 * directly (the branch must allow it); `pull-request` needs git.mode: pull-request.
 */
export function readRollbackConfig(sh: Shape, raw: unknown, git: GitConfig, override?: GitMode): RollbackConfig {
  if (raw === undefined || raw === null) return { mode: override ?? git.mode };
  const m = sh.map(raw, ['rollback'], ['mode']);
  if (m.mode === undefined) return { mode: override ?? git.mode };
  const written = sh.oneOf(m.mode, ['rollback', 'mode'], MODES);
  if (override) return { mode: override };
  const mode = written;
  if (mode === 'pull-request' && git.mode !== 'pull-request')
    sh.fail(['rollback', 'mode'], 'pull-request needs git.mode: pull-request too; remove rollback.mode, or set both');
  return { mode };
}
