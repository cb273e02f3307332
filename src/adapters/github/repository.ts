import { UsageError } from '../../core/errors.js';

export type Env = Record<string, string | undefined>;

const NWO = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

/** The URL with any user, password or token removed: the only form of a remote URL that may be shown. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
}

/**
 * owner/name from a remote URL: https://host/owner/name(.git), ssh://git@host(:port)/owner/name,
 * git@host:owner/name (scp form). Credentials in the URL are ignored. null for anything else
 * (a local path, a bare repository on disk).
 */
export function repositoryFromRemote(url: string): string | null {
  const u = url.trim();
  let path: string | undefined;
  const scheme = /^(?:https?|ssh|git|git\+ssh|ssh\+git):\/\/(?:[^@/]*@)?[^/]+\/(.+)$/i.exec(u);
  if (scheme) path = scheme[1];
  else {
    // scp-like: [user@]host:path, where host has no slash and path does not start with one.
    const scp = /^(?:[^@/:]+@)?[^@/:]+:(?!\/)(.+)$/.exec(u);
    if (scp && !/^[A-Za-z]:[\\/]/.test(u)) path = scp[1];
  }
  if (!path) return null;
  const parts = path
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split('/');
  if (parts.length < 2) return null;
  // GitHub Enterprise may serve under a path prefix: the repository is always the last two segments.
  const nwo = parts.slice(-2).join('/');
  return NWO.test(nwo) ? nwo : null;
}

/**
 * Where the pull requests go, in the order GitHub Actions users expect: GITHUB_REPOSITORY (set by
 * Actions for the repository the workflow runs in), then `git.repository` in mlctl.yaml, then the
 * git remote's URL.
 */
export function resolveRepository(o: { env: Env; configured?: string | null; remoteUrl?: string | null }): string {
  const fromEnv = o.env.GITHUB_REPOSITORY;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!NWO.test(fromEnv))
      throw new UsageError(`GITHUB_REPOSITORY=${JSON.stringify(fromEnv)} is not owner/name; unset it or fix it`);
    return fromEnv;
  }
  if (o.configured) {
    if (!NWO.test(o.configured))
      throw new UsageError(`git.repository ${JSON.stringify(o.configured)} is not owner/name, e.g. acme/deploy`);
    return o.configured;
  }
  const fromRemote = o.remoteUrl ? repositoryFromRemote(o.remoteUrl) : null;
  if (fromRemote) return fromRemote;
  throw new UsageError(
    `cannot tell which GitHub repository to open pull requests on${o.remoteUrl ? ` from the remote URL ${redactUrl(o.remoteUrl)}` : ' (no remote URL)'}; set git.repository: owner/name in mlctl.yaml`,
  );
}

/** GITHUB_API_URL like Actions (GitHub Enterprise: https://ghe.example.com/api/v3), else api.github.com. */
export function apiBaseUrl(env: Env): string {
  const v = env.GITHUB_API_URL;
  if (v === undefined || v === '') return 'https://api.github.com';
  if (!/^https?:\/\/[^\s/]+/.test(v))
    throw new UsageError(
      `GITHUB_API_URL=${JSON.stringify(redactUrl(v))} is not a URL such as https://ghe.example.com/api/v3`,
    );
  return v.replace(/\/+$/, '');
}

/** Web pages: GITHUB_SERVER_URL like Actions, else derived from the API URL (api.github.com → github.com). */
export function webBaseUrl(env: Env, api: string): string {
  const v = env.GITHUB_SERVER_URL;
  if (v && /^https?:\/\/[^\s/]+/.test(v)) return v.replace(/\/+$/, '');
  if (/^https:\/\/api\.github\.com$/i.test(api)) return 'https://github.com';
  return api.replace(/\/api\/v3$/i, '');
}

/** GH_TOKEN before GITHUB_TOKEN, as the GitHub CLI reads them. */
export function tokenFrom(env: Env): string | null {
  for (const k of ['GH_TOKEN', 'GITHUB_TOKEN'] as const) {
    const v = env[k]?.trim();
    if (v) return v;
  }
  return null;
}
