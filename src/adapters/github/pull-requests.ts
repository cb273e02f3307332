import { AuthError, MlctlError } from '../../core/errors.js';
import type { OpenedPullRequest, PullRequest, PullRequestDraft, PullRequests } from '../../ports/pull-requests.js';
import { GitHubHttp, type HttpOptions } from './http.js';
import { apiBaseUrl, resolveRepository, tokenFrom, webBaseUrl, type Env } from './repository.js';

/** The fields mlctl reads from GitHub's pull-request (and pull-request-simple) objects. */
interface GhPull {
  number: number;
  html_url: string;
  title: string;
  state: 'open' | 'closed';
  draft?: boolean;
  mergeable?: boolean | null;
  merged?: boolean;
  merged_at: string | null;
  closed_at: string | null;
  merge_commit_sha: string | null;
  head: { ref: string; sha: string };
  base: { ref: string };
}

function toPullRequest(p: GhPull): PullRequest {
  const info = {
    number: p.number,
    url: p.html_url,
    title: p.title,
    base: p.base.ref,
    head: p.head.ref,
    headSha: p.head.sha,
  };
  // pull-request-simple (lists) has no `merged`: merged_at says it as well.
  if (p.merged_at && p.merge_commit_sha)
    return { ...info, state: 'merged', mergeCommit: p.merge_commit_sha, mergedAt: p.merged_at };
  if (p.state === 'closed') return { ...info, state: 'closed', closedAt: p.closed_at ?? '' };
  return { ...info, state: 'open', draft: p.draft ?? false, mergeable: p.mergeable ?? null };
}

export interface GitHubOptions extends HttpOptions {
  env: Env;
  /** `git.repository` from mlctl.yaml. */
  repository?: string | null;
  /** The GitOps remote's URL (may carry credentials; only owner/name is taken from it). */
  remoteUrl?: string | null;
}

export class GitHubPullRequests implements PullRequests {
  readonly provider = 'github' as const;
  private readonly owner: string;
  private readonly name: string;

  private constructor(
    readonly repository: string,
    private readonly http: GitHubHttp,
    private readonly web: string,
  ) {
    [this.owner, this.name] = repository.split('/') as [string, string];
  }

  /** Repository, API URL and token from the environment and config (see repository.ts); throws AuthError without a token. */
  static fromEnv(o: GitHubOptions): GitHubPullRequests {
    const repository = resolveRepository({ env: o.env, configured: o.repository, remoteUrl: o.remoteUrl });
    const api = apiBaseUrl(o.env);
    const token = tokenFrom(o.env);
    if (!token)
      throw new AuthError(
        'no GitHub token: set GITHUB_TOKEN (in Actions: env: GITHUB_TOKEN: ${{ github.token }}) or GH_TOKEN to open pull requests',
      );
    return new GitHubPullRequests(repository, new GitHubHttp(api, token, o), webBaseUrl(o.env, api));
  }

  private repo(path = ''): string {
    return `/repos/${encodeURIComponent(this.owner)}/${encodeURIComponent(this.name)}${path}`;
  }

  async open(d: PullRequestDraft): Promise<OpenedPullRequest> {
    const what = `open a pull request from ${d.head} into ${d.base} on ${this.repository}`;
    let pr: PullRequest;
    let created = true;
    const existing = await this.findOpen(d.head, d.base);
    if (existing) {
      pr = existing;
      created = false;
    } else {
      try {
        const r = await this.http.call<GhPull>({
          method: 'POST',
          path: this.repo('/pulls'),
          body: { title: d.title, head: d.head, base: d.base, body: d.body, draft: d.draft },
          // A retry after a 5xx that did create it answers 422 "already exists": found below.
          idempotent: true,
          what,
        });
        pr = toPullRequest(r.data);
      } catch (err) {
        // "Already exists" although there was none a moment ago: an earlier attempt of this call
        // created it and its answer was lost (a 502, a dropped connection). It is ours: carry on.
        const again = err instanceof MlctlError && err.exitCode === 2 ? await this.findOpen(d.head, d.base) : null;
        if (!again) throw err;
        pr = again;
      }
    }
    const warnings: string[] = [];
    if (created) await this.decorate(pr.number, d, warnings);
    return { pullRequest: pr, created, warnings };
  }

  /** Labels and reviewers: the pull request is what matters; what cannot be set becomes a warning. */
  private async decorate(n: number, d: PullRequestDraft, warnings: string[]): Promise<void> {
    const soft = async (what: string, f: () => Promise<unknown>) => {
      try {
        await f();
      } catch (err) {
        if (err instanceof AuthError && /401/.test(err.message)) throw err;
        warnings.push(`pull request #${n} is open, but ${what} failed: ${(err as Error).message}`);
      }
    };
    if (d.labels.length)
      await soft(`adding the labels ${d.labels.join(', ')}`, () =>
        this.http.call({
          method: 'POST',
          path: this.repo(`/issues/${n}/labels`),
          body: { labels: d.labels },
          idempotent: true,
          what: `add labels to pull request #${n}`,
        }),
      );
    if (d.reviewers.length || d.teamReviewers.length)
      await soft(`requesting reviews from ${[...d.reviewers, ...d.teamReviewers].join(', ')}`, () =>
        this.http.call({
          method: 'POST',
          path: this.repo(`/pulls/${n}/requested_reviewers`),
          body: { reviewers: d.reviewers, team_reviewers: d.teamReviewers },
          idempotent: true,
          what: `request reviewers on pull request #${n} (git.pullRequest.reviewers/team_reviewers)`,
        }),
      );
  }

  async get(number: number): Promise<PullRequest> {
    const r = await this.http.call<GhPull>({
      method: 'GET',
      path: this.repo(`/pulls/${number}`),
      idempotent: true,
      what: `read pull request #${number} of ${this.repository}`,
    });
    return toPullRequest(r.data);
  }

  async findOpen(head: string, base: string): Promise<PullRequest | null> {
    const r = await this.http.call<GhPull[]>({
      method: 'GET',
      path: this.repo('/pulls'),
      query: { state: 'open', head: `${this.owner}:${head}`, base, per_page: 10 },
      idempotent: true,
      what: `look for an open pull request from ${head} on ${this.repository}`,
    });
    const found = r.data.find((p) => p.head.ref === head && p.base.ref === base);
    return found ? toPullRequest(found) : null;
  }

  async comment(number: number, body: string): Promise<void> {
    await this.http.call({
      method: 'POST',
      path: this.repo(`/issues/${number}/comments`),
      body: { body },
      // A second identical comment is worse than a clear error: not retried once sent.
      idempotent: false,
      what: `comment on pull request #${number} of ${this.repository}`,
    });
  }

  async close(number: number, comment?: string): Promise<PullRequest> {
    if (comment) await this.comment(number, comment);
    const r = await this.http.call<GhPull>({
      method: 'PATCH',
      path: this.repo(`/pulls/${number}`),
      body: { state: 'closed' },
      idempotent: true,
      what: `close pull request #${number} of ${this.repository}`,
    });
    return toPullRequest(r.data);
  }

  fileUrl(ref: string, path: string): string {
    const p = path.split('/').map(encodeURIComponent).join('/');
    return `${this.web}/${this.owner}/${this.name}/blob/${ref.split('/').map(encodeURIComponent).join('/')}/${p}`;
  }
}
