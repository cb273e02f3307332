import type { PullRequestSettings } from '../config/index.js';
import type { GitOps } from '../../ports/gitops.js';
import type { PullRequests } from '../../ports/pull-requests.js';

/**
 * How rollout steps reach the GitOps repository's base branch (ADR 25): `steps` (git.mode:
 * pull-request or --pr) opens a pull request per start, advance and completion; `rollbacks`
 * (rollback.mode) does the same for aborts and rollbacks, else they are commits pushed to the base.
 */
export interface PullRequestContext {
  steps: boolean;
  rollbacks: boolean;
  settings: PullRequestSettings;
  /**
   * The host's API for the repository `git` pushes to (GITHUB_REPOSITORY, git.repository or the
   * remote's URL); the token comes from the environment. Throws AuthError without one.
   */
  host(git: GitOps): Promise<PullRequests>;
}
