import { pushError } from './step.js';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { AuthError, MlctlError, StorageError, UsageError } from '../errors.js';
import { atomicWrite } from '../util/atomic-write.js';
import { FileJournal } from '../util/file-journal.js';
import { shortHash } from '../util/text.js';
import { auditHeadTrailer } from '../audit/anchors.js';
import { appendEvent } from '../audit/chain.js';
import { stepBranch } from '../pull-requests/branch.js';
import { stepBody, stepTitle, type StepEvidence } from '../pull-requests/evidence.js';
import { renderServing } from './serving-files.js';
import { stepTrailers, type StepIdentity } from './step-identity.js';
import type { RolloutContext } from './context.js';
import type { PendingPullRequest, PullRequestEffect } from './pending.js';
import type { ServingSpec } from '../config/index.js';
import type { TrafficTarget } from '../serving/types.js';
import type { GitOps } from '../../ports/gitops.js';
import type { PullRequest } from '../../ports/pull-requests.js';

export interface PullRequestStepInput {
  /** One step at a time per scope (the model), as in runStep. */
  scope: string;
  /** Re-checks under the registry lock that the state this step was planned on still holds. */
  verify(): Promise<void> | void;
  serving: { model: string; spec: ServingSpec; target: TrafficTarget };
  /** ADR edits on the step's branch; snapshot each file in the journal before touching it. */
  adr(journal: FileJournal): Promise<void>;
  message: string;
  step: StepIdentity;
  /** The step in words (rollout status and messages show it): "canary 10%", "abort". */
  label: string;
  urgent: boolean;
  /** The pull request's evidence; files and the ADR link are filled in here. */
  evidence: Omit<StepEvidence, 'files' | 'adr'>;
  /** The ADR file (name) the step creates or edits, once adr() ran; null: none. */
  adrFile(): string | null;
  effect: PullRequestEffect;
  /** A pending pull request this step replaces (an abort): closed with a comment before this one opens. */
  supersede?: { number: number; comment: string } | null;
  /**
   * Store the pending step in the registry; runs inside the registry write, after the pull request
   * opened. Returns the rollout's row id (null for a champion change, whose store is the audit event).
   */
  park(p: PendingPullRequest): Promise<number | null>;
}

export interface PullRequestStepResult {
  pending: PendingPullRequest;
  /** The rollout's row id (a start's row is made when its pull request opens); null for a champion change. */
  rollout: number | null;
  pullRequest: PullRequest;
  /** false: an open pull request of this branch existed (a retry) and was reused. */
  created: boolean;
  /** Changed files, relative to the project root. */
  files: string[];
  /** Labels or reviewers the host would not set. */
  warnings: string[];
}

/** The absolute path of a serving file as written in mlctl.yaml. */
export const servingPath = (root: string, file: string) => (isAbsolute(file) ? file : join(root, file));

/**
 * One rollout step as a pull request (ADR 25), all or nothing: under the registry's write lock,
 * re-check the state; fetch the base branch and create the step's branch at it; render the serving
 * files and the ADR there and commit them (the trailers of ADR 9 and 26); push the branch; put the
 * clone back where it was; open the pull request; record the pending step. Nothing of the step
 * reaches the base branch or the registry's rollout state until the pull request is merged.
 *
 * Failures leave nothing behind: before the push the branch is simply dropped; a pull request that
 * cannot be opened takes its pushed branch back with it (or says how to, when that fails too).
 */
export async function runPullRequestStep(
  ctx: RolloutContext,
  input: PullRequestStepInput,
): Promise<PullRequestStepResult> {
  const pr = ctx.pullRequests;
  if (!pr) throw new Error('runPullRequestStep needs ctx.pullRequests');
  const { remote } = ctx.step.git;
  return await ctx.registry.write(async () => {
    await ctx.registry.exclusive(input.scope);
    await input.verify();
    const { model, spec } = input.serving;
    const files = spec.files.map((f) => servingPath(ctx.step.root, f));
    const git = await ctx.step.openGit(dirname(files[0]!));
    const base = await baseBranch(git);
    const dirty = await git.dirty(files.map((p) => relative(git.root, p)));
    if (dirty.length)
      throw new UsageError(
        `${dirty.join(', ')} ha${dirty.length === 1 ? 's' : 've'} uncommitted changes; a pull request starts from ${remote}/${base}, so commit or discard them first`,
      );
    // The host first: without a token nothing is created anywhere.
    const host = await pr.host(git);
    const branch = stepBranch(model, input.step.rollout ?? input.step.id, input.step.stage);
    const made = await commitOnBranch(ctx, git, input, { remote, base, branch });
    const warnings: string[] = [];
    try {
      if (input.supersede) await host.close(input.supersede.number, input.supersede.comment);
      const evidence: StepEvidence = {
        ...input.evidence,
        files: made.files.map((p) => relative(git.root, p)),
        ...(made.adrPath
          ? {
              adr: {
                path: relative(git.root, made.adrPath),
                url: host.fileUrl(branch, relative(git.root, made.adrPath)),
              },
            }
          : {}),
      };
      const opened = await host.open({
        base,
        head: branch,
        title: stepTitle(evidence),
        body: stepBody(evidence),
        labels: pr.settings.labels,
        reviewers: pr.settings.reviewers,
        teamReviewers: pr.settings.teamReviewers,
        draft: pr.settings.draft,
      });
      warnings.push(...opened.warnings);
      const p = opened.pullRequest;
      const pending: PendingPullRequest = {
        kind: 'pull_request',
        stage: input.step.stage,
        label: input.label,
        action: input.step.action,
        since: ctx.clock.now().toISOString(),
        number: p.number,
        url: p.url,
        branch,
        stepId: input.step.id,
        commit: made.commit,
        base,
        urgent: input.urgent,
        adr: input.adrFile(),
        effect: input.effect,
      };
      let rollout: number | null;
      try {
        rollout = await input.park(pending);
        await appendEvent(ctx.registry, {
          at: pending.since,
          actor: ctx.actor,
          action: 'step.pull_request',
          model,
          subject: `${model}@${input.step.version}`,
          payload: { ...pending, model, rollout, version: input.step.version, created: opened.created },
        });
      } catch (err) {
        // The registry could not take it: the pull request must not wait for a merge nobody records.
        await host
          .close(p.number, 'mlctl could not record this step in its registry, so it closed this pull request.')
          .catch(() => undefined);
        throw err;
      }
      return {
        pending,
        rollout,
        pullRequest: p,
        created: opened.created,
        files: made.files.map((f) => relative(ctx.step.root, f)),
        warnings,
      };
    } catch (err) {
      throw await takeBranchBack(git, remote, branch, made.commit, err);
    }
  });
}

/** The checked-out branch, which pull requests go into. */
async function baseBranch(git: GitOps): Promise<string> {
  const base = await git.currentBranch();
  if (!base)
    throw new UsageError(
      `${git.root} has no branch checked out (detached HEAD); check out the branch the serving configs live on (e.g. git switch main) so pull requests know their base`,
    );
  if (base.startsWith('mlctl/'))
    throw new UsageError(
      `${git.root} has mlctl's step branch ${base} checked out (left by an interrupted step?); git switch back to the base branch and run the command again`,
    );
  return base;
}

/**
 * The step's commit on its own branch made from the remote's base, pushed; the clone is back where
 * it was afterwards (its working tree never shows the step), whatever happens.
 */
async function commitOnBranch(
  ctx: RolloutContext,
  git: GitOps,
  input: PullRequestStepInput,
  at: { remote: string; base: string; branch: string },
): Promise<{ commit: string; files: string[]; adrPath: string | null }> {
  // A branch of this name left by an earlier attempt is made anew (the name is the step's).
  const sb = await git.startBranch({ ...at, replace: true });
  const journal = new FileJournal();
  let commit: string | null = null;
  let files: string[] = [];
  try {
    const edits = renderServing(ctx.step.root, input.serving.model, input.serving.spec, input.serving.target);
    for (const e of edits) {
      if (e.after === e.before) continue;
      journal.snapshot(e.path);
      atomicWrite(e.path, e.after);
    }
    await input.adr(journal);
    const changed = journal.changed();
    files = changed.filter((p) => !relative(git.root, p).startsWith('..'));
    const outside = changed.filter((p) => !files.includes(p));
    if (outside.length)
      throw new UsageError(
        `${outside.map((p) => relative(ctx.step.root, p)).join(', ')} ${outside.length === 1 ? 'is' : 'are'} outside the GitOps repository ${git.root}, so a pull request cannot carry ${outside.length === 1 ? 'it' : 'them'}; move the ADR folder (adr.dir) into the repository or pass --no-adr`,
      );
    if (!files.length)
      throw new UsageError(`the serving files of ${input.serving.model} already say this on ${at.remote}/${at.base}`);
    const created = journal.createdFiles();
    commit = await git.commit({
      files: files.map((p) => relative(git.root, p)),
      created: files.filter((p) => created.includes(p)).map((p) => relative(git.root, p)),
      message: input.message,
      trailers: { ...stepTrailers(input.step), ...(await auditHeadTrailer(ctx.registry)) },
    });
    const old = await git.remoteBranch(at.remote, at.branch);
    const pushed = await git.pushBranch(at.remote, at.branch, old ? { lease: old } : {});
    if (!pushed.ok) throw pushError(at.remote, pushed.why, `branch ${at.branch}: ${pushed.reason}`);
  } catch (err) {
    if (!commit) journal.restore();
    await git.returnTo(sb.previous).catch(() => undefined);
    await git.deleteBranch(at.branch).catch(() => undefined);
    throw err;
  }
  await git.returnTo(sb.previous);
  await git.deleteBranch(at.branch);
  const adrPath = (ctx.adr && files.find((p) => p.startsWith(ctx.adr!.dir) && /\/\d{4}-[^/]+\.md$/.test(p))) || null;
  return { commit, files, adrPath };
}

/**
 * The pull request could not be opened (or recorded): delete the pushed branch again so nothing is
 * half-done, and say so in the error. Errors keep their exit code, except that a refusal by the host
 * (422) is about the repository's state here, not the command's input: exit 3, like a 5xx.
 */
async function takeBranchBack(
  git: GitOps,
  remote: string,
  branch: string,
  commit: string,
  err: unknown,
): Promise<unknown> {
  if (!(err instanceof MlctlError)) return err;
  const gone = await git.deleteRemoteBranch(remote, branch, commit).catch(() => ({ ok: false as const }));
  const what = gone.ok
    ? `nothing was recorded and branch ${branch} was deleted from ${remote} again; run the command again`
    : `branch ${branch} (${shortHash(commit)}) is on ${remote} without a pull request and nothing was recorded; run the command again (it replaces the branch), or delete it with git push ${remote} --delete ${branch}`;
  const message = `${err.message.replace(/[.;]?\s*$/, '')} — ${what}`;
  if (err instanceof AuthError) return new AuthError(message, { cause: err });
  return new StorageError(message, { cause: err });
}
