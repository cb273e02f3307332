/**
 * Pull requests on the host of the GitOps repository (ADR 25): GitHub first; a GitLab merge request
 * has the same life (open → merged with a commit, or closed), so it can sit behind this port too.
 *
 * Errors every method may throw (core/errors.ts):
 * - AuthError (exit 4): no token, token rejected (401), or not allowed (403, 404 on a private repository);
 * - UsageError (exit 2): the host refused the request's content (422), naming the field it refused;
 *   NotFoundError (exit 2) for a pull request number that does not exist;
 * - RateLimitError (exit 3, a StorageError): out of API quota, with the time the quota resets;
 * - StorageError (exit 3): 5xx after bounded retries, a timeout, or no connection.
 * Messages never contain the token.
 */

export type PullRequestState =
  /** mergeable: false on a conflict with the base; null while the host has not computed it yet. */
  | { state: 'open'; draft: boolean; mergeable: boolean | null }
  /** The commit that put the change on the base branch (a merge, squash or rebase commit). */
  | { state: 'merged'; mergeCommit: string; mergedAt: string }
  /** Closed without merging: the change never reached the base branch. */
  | { state: 'closed'; closedAt: string };

export type PullRequest = {
  number: number;
  /** The page a person opens (html_url on GitHub, web_url on GitLab). */
  url: string;
  title: string;
  base: string;
  /** The head branch's name (without an owner prefix). */
  head: string;
  headSha: string;
} & PullRequestState;

export interface PullRequestDraft {
  base: string;
  head: string;
  title: string;
  /** Markdown. */
  body: string;
  labels: string[];
  /** User logins. */
  reviewers: string[];
  /** Team slugs (GitLab: group names). */
  teamReviewers: string[];
  draft: boolean;
}

export interface OpenedPullRequest {
  pullRequest: PullRequest;
  /** false when an open pull request from `head` into `base` already existed (a retry after a crash). */
  created: boolean;
  /**
   * Labels or reviewers the host would not set (not a collaborator, say): the pull request is open
   * all the same, and the caller reports these.
   */
  warnings: string[];
}

export interface PullRequests {
  readonly provider: 'github';
  /** owner/name on the host, for messages. */
  readonly repository: string;
  /** Open a pull request; idempotent: an open one from the same head into the same base is returned instead. */
  open(draft: PullRequestDraft): Promise<OpenedPullRequest>;
  get(number: number): Promise<PullRequest>;
  /** The open pull request from `head` into `base`, if any (after a crash between push and record). */
  findOpen(head: string, base: string): Promise<PullRequest | null>;
  comment(number: number, body: string): Promise<void>;
  /** Close without merging (a step superseded by an abort); a comment first says why, if given. */
  close(number: number, comment?: string): Promise<PullRequest>;
  /** A link to `path` at `ref` on the host's web pages (for the evidence body's links). */
  fileUrl(ref: string, path: string): string;
}
