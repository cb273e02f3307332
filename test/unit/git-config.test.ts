import { describe, expect, it } from 'vitest';
import { parseYamlDoc } from '../../src/core/inputs/located-doc.js';
import { readSettings } from '../../src/core/config/index.js';
import { configDoc } from '../../src/core/config/file.js';
import { UsageError } from '../../src/core/errors.js';

/** git: and rollback: of an mlctl.yaml text, read as every command reads them (with line numbers). */
function read(text: string, flags: { gitMode?: 'commit' | 'pull-request'; rollbackMode?: 'pull-request' } = {}) {
  const s = readSettings(configDoc(parseYamlDoc(text, 'mlctl.yaml')), '/project', flags);
  return { git: s.git, rollback: s.rollback };
}
function error(text: string, flags: Parameters<typeof read>[1] = {}): string {
  try {
    read(text, flags);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('git.mode, git.repository, git.pullRequest and rollback.mode in mlctl.yaml', () => {
  it('defaults: commit mode, no pull request settings, rollbacks like the steps', () => {
    expect(read('registry: x\n')).toEqual({
      git: {
        commit: true,
        push: false,
        remote: 'origin',
        mode: 'commit',
        repository: null,
        pullRequest: { labels: [], reviewers: [], teamReviewers: [], draft: false },
      },
      rollback: { mode: 'commit' },
    });
  });

  it('reads the pull-request mode with its settings', () => {
    const c = read(`
git:
  mode: pull-request
  remote: origin
  repository: acme/deploy
  pullRequest:
    labels: [mlctl, rollout]
    reviewers: [alice, bob-2]
    team_reviewers: [ml-platform]
    draft: true
`);
    expect(c.git).toMatchObject({
      mode: 'pull-request',
      repository: 'acme/deploy',
      pullRequest: {
        labels: ['mlctl', 'rollout'],
        reviewers: ['alice', 'bob-2'],
        teamReviewers: ['ml-platform'],
        draft: true,
      },
    });
    expect(c.rollback).toEqual({ mode: 'pull-request' });
    expect(read('git: { mode: pull-request }\nrollback: { mode: commit }\n').rollback).toEqual({ mode: 'commit' });
  });

  it("a command's --pr beats the file", () => {
    expect(read('git: { mode: commit }\n', { gitMode: 'pull-request' }).git.mode).toBe('pull-request');
    expect(read('registry: x\n', { gitMode: 'pull-request' }).git.mode).toBe('pull-request');
    // Rollbacks follow the steps unless rollback.mode says otherwise; mlctl rollback --pr beats that too.
    expect(read('registry: x\n', { gitMode: 'pull-request' }).rollback.mode).toBe('pull-request');
    expect(read('rollback: { mode: commit }\n', { gitMode: 'pull-request' }).rollback.mode).toBe('commit');
    expect(
      read('rollback: { mode: commit }\n', { gitMode: 'pull-request', rollbackMode: 'pull-request' }).rollback.mode,
    ).toBe('pull-request');
    expect(error('git: { push: false }\n', { gitMode: 'pull-request' })).toBe(
      "mlctl.yaml: git.push: false cannot go with --pr (the step's branch is always pushed); remove it (line 1)",
    );
  });

  it('errors name the key and its line (exit 2)', () => {
    expect(error('registry: x\ngit:\n  mode: pr\n')).toBe(
      'mlctl.yaml: git.mode: must be one of commit, pull-request, got "pr" (line 3)',
    );
    expect(error('git:\n  mode: pull-request\n  push: false\n')).toBe(
      "mlctl.yaml: git.push: false cannot go with git.mode: pull-request (the step's branch is always pushed); remove it (line 3)",
    );
    expect(error('git:\n  mode: pull-request\n  commit: false\n')).toMatch(
      /git.commit: false cannot go with git.mode: pull-request .*\(line 3\)$/,
    );
    expect(error('git:\n  repository: https://github.com/acme/deploy\n')).toBe(
      'mlctl.yaml: git.repository: must be owner/name such as acme/deploy, got "https://github.com/acme/deploy" (line 2)',
    );
    expect(error('git:\n  pullRequest:\n    reviewer: [alice]\n')).toBe(
      'mlctl.yaml: git.pullRequest: unknown key "reviewer"; use labels, reviewers, team_reviewers, draft (line 3)',
    );
    expect(error('git:\n  pullRequest:\n    reviewers:\n      - alice\n      - acme/ml-team\n')).toBe(
      'mlctl.yaml: git.pullRequest.reviewers[1]: "acme/ml-team" looks like a team; put its slug under git.pullRequest.team_reviewers (line 5)',
    );
    expect(error('git:\n  pullRequest:\n    team_reviewers: [acme/ml-team]\n')).toBe(
      'mlctl.yaml: git.pullRequest.team_reviewers[0]: use the team\'s slug without the organization, e.g. "ml-team" (line 3)',
    );
    expect(error('git:\n  pullRequest: { draft: "yes" }\n')).toBe(
      'mlctl.yaml: git.pullRequest.draft: must be true or false (line 2)',
    );
    expect(error(`git:\n  pullRequest:\n    labels: ["${'x'.repeat(51)}"]\n`)).toMatch(
      /labels\[0\]: must be at most 50 characters .*\(line 3\)/,
    );
    expect(error('rollback:\n  mode: pull-request\n')).toBe(
      'mlctl.yaml: rollback.mode: pull-request needs git.mode: pull-request too; remove rollback.mode, or set both (line 2)',
    );
    expect(error('git: { mode: pull-request }\nrollback:\n  mode: direct\n')).toBe(
      'mlctl.yaml: rollback.mode: must be one of commit, pull-request, got "direct" (line 3)',
    );
    expect(error('rollback:\n  when: now\n')).toMatch(/rollback: unknown key "when"; use mode \(line 2\)/);
  });
});
