import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { makeDeps } from '../../src/cli/deps.js';
import {
  apiBaseUrl,
  redactUrl,
  repositoryFromRemote,
  resolveRepository,
  tokenFrom,
  webBaseUrl,
} from '../../src/adapters/github/repository.js';

describe('which GitHub repository, API and token', () => {
  it.each([
    ['https://github.com/acme/deploy.git', 'acme/deploy'],
    ['https://github.com/acme/deploy', 'acme/deploy'],
    ['https://x-access-token:ghs_secret@github.com/acme/deploy.git', 'acme/deploy'],
    ['https://ghe.example.com/scm/acme/deploy.git/', 'acme/deploy'],
    ['git@github.com:acme/deploy.git', 'acme/deploy'],
    ['github.com:acme/deploy', 'acme/deploy'],
    ['ssh://git@github.com/acme/deploy.git', 'acme/deploy'],
    ['ssh://git@ghe.example.com:2222/acme/my.repo', 'acme/my.repo'],
    ['/tmp/mlctl-remote-abc', null],
    ['../remote.git', null],
    ['C:\\repos\\deploy', null],
    ['file:///srv/git/deploy.git', null],
  ])('remote %s → %s', (url, nwo) => {
    expect(repositoryFromRemote(url)).toBe(nwo);
  });

  it('never shows the credentials of a remote URL', () => {
    expect(redactUrl('https://x-access-token:ghs_secret@github.com/acme/deploy.git')).toBe(
      'https://github.com/acme/deploy.git',
    );
    expect(redactUrl('git@github.com:acme/deploy.git')).toBe('git@github.com:acme/deploy.git');
    let message = '';
    try {
      resolveRepository({ env: {}, remoteUrl: 'https://user:ghs_secret@example.com/only-one-segment' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      'cannot tell which GitHub repository to open pull requests on from the remote URL https://example.com/only-one-segment; set git.repository: owner/name in mlctl.yaml',
    );
  });

  it('GITHUB_REPOSITORY, then git.repository, then the remote', () => {
    const remoteUrl = 'git@github.com:from/remote.git';
    expect(resolveRepository({ env: { GITHUB_REPOSITORY: 'from/env' }, configured: 'from/config', remoteUrl })).toBe(
      'from/env',
    );
    expect(resolveRepository({ env: { GITHUB_REPOSITORY: '' }, configured: 'from/config', remoteUrl })).toBe(
      'from/config',
    );
    expect(resolveRepository({ env: {}, configured: null, remoteUrl })).toBe('from/remote');
    expect(() => resolveRepository({ env: { GITHUB_REPOSITORY: 'no-slash' } })).toThrow(
      'GITHUB_REPOSITORY="no-slash" is not owner/name; unset it or fix it',
    );
    expect(() => resolveRepository({ env: {}, configured: 'a/b/c' })).toThrow(
      /git.repository "a\/b\/c" is not owner\/name/,
    );
    expect(() => resolveRepository({ env: {} })).toThrow(/\(no remote URL\); set git.repository/);
  });

  it('GITHUB_API_URL like Actions, GitHub Enterprise included', () => {
    expect(apiBaseUrl({})).toBe('https://api.github.com');
    expect(apiBaseUrl({ GITHUB_API_URL: 'https://ghe.example.com/api/v3/' })).toBe('https://ghe.example.com/api/v3');
    expect(() => apiBaseUrl({ GITHUB_API_URL: 'ghe.example.com' })).toThrow(
      /GITHUB_API_URL="ghe.example.com" is not a URL/,
    );
    expect(webBaseUrl({}, 'https://api.github.com')).toBe('https://github.com');
    expect(webBaseUrl({}, 'https://ghe.example.com/api/v3')).toBe('https://ghe.example.com');
    expect(webBaseUrl({ GITHUB_SERVER_URL: 'https://ghe.example.com/' }, 'x')).toBe('https://ghe.example.com');
  });

  it('GH_TOKEN before GITHUB_TOKEN, as the GitHub CLI; blank is none', () => {
    expect(tokenFrom({ GH_TOKEN: 'a', GITHUB_TOKEN: 'b' })).toBe('a');
    expect(tokenFrom({ GH_TOKEN: ' ', GITHUB_TOKEN: 'b' })).toBe('b');
    expect(tokenFrom({})).toBeNull();
  });

  it('commands reach the GitHub adapter through Deps, repository and token from env and config', async () => {
    const io = {
      out: new PassThrough(),
      err: new PassThrough(),
      in: new PassThrough(),
      outIsTTY: false,
      errIsTTY: false,
      inIsTTY: false,
      color: false,
    };
    const deps = makeDeps(io, { GITHUB_TOKEN: 'ghs_x' }, '/');
    const prs = await deps.pullRequests({ repository: null, remoteUrl: 'git@github.com:acme/deploy.git' });
    expect([prs.provider, prs.repository]).toEqual(['github', 'acme/deploy']);
    expect(prs.fileUrl('main', 'docs/adr/0001-x.md')).toBe(
      'https://github.com/acme/deploy/blob/main/docs/adr/0001-x.md',
    );
    await expect(makeDeps(io, {}, '/').pullRequests({ repository: 'acme/deploy' })).rejects.toThrow(/no GitHub token/);
  });
});
