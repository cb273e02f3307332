import { dirname, relative } from 'node:path';
import { AuthError, PushRejectedError, StorageError, UsageError } from '../errors.js';
import { atomicWrite } from '../util/atomic-write.js';
import { renderServing, type ServingEdit } from './serving-files.js';
import { StepJournal } from './step-journal.js';
import { stepTrailers, type StepIdentity } from './step-identity.js';
import { shortHash } from '../util/text.js';
import { auditHeadTrailer } from '../audit/anchors.js';
import type { ServingSpec } from '../config/index.js';
import type { TrafficTarget } from '../serving/types.js';
import type { FileJournal } from '../util/file-journal.js';
import type { GitOps, PushFailure } from '../../ports/gitops.js';
import type { Registry } from '../../ports/registry.js';
import type { Clock } from '../../ports/clock.js';
import type { PausePhase } from './pause-phases.js';

export interface GitSettings {
  commit: boolean;
  push: boolean;
  remote: string;
  allowDirty: boolean;
}

export interface StepContext {
  registry: Registry;
  /** The project root (where mlctl.yaml is); serving files are relative to it. */
  root: string;
  openGit(dir: string): Promise<GitOps>;
  git: GitSettings;
  actor: string;
  clock: Clock;
  /** Test-only: hold the step at a phase until the test lets it go (absent in normal use). */
  pause?: (phase: PausePhase) => Promise<void>;
}

export interface StepInput<T> {
  /** What this step changes outside the registry (a model's serving files and ADRs): one step at a time per scope. */
  scope: string;
  /** Checks under the registry lock that the state this step was planned on still holds (throws otherwise). */
  verify(): Promise<void> | void;
  serving: { model: string; spec: ServingSpec; target: TrafficTarget } | null;
  /** ADR edits; snapshot each file in the journal before touching it. */
  adr(journal: FileJournal): Promise<void>;
  message: string;
  /** Who the step is (its id, action, model, stage, rollout): the commit's trailers and its `steps` row. */
  step: StepIdentity;
  /**
   * Registry rows and events, given the commit sha and the serving edits it wrote (a text-proto
   * edit may leave labels pending: the two-push rule); runs last, in the same transaction.
   */
  record(commit: string | null, edits: ServingEdit[]): Promise<T> | T;
}

export interface StepResult<T> {
  result: T;
  commit: string | null;
  pushed: boolean;
  /** Changed files (relative to the project root). */
  files: string[];
  /** Changed files left out of the commit because they are outside the repository. */
  outside: string[];
}

/**
 * One rollout step, all or nothing: under the registry's write lock, re-check the state, edit the
 * serving files and ADRs, commit them together (and push), then record the step in the registry.
 * Any failure restores every file, undoes an unpushed commit, and rolls the registry back. A journal
 * on disk (ADR 26) lets a later command finish the job if this process is killed part way.
 */
export async function runStep<T>(ctx: StepContext, input: StepInput<T>): Promise<StepResult<T>> {
  const disk = new StepJournal(ctx.root, input.step, {
    actor: ctx.actor,
    startedAt: ctx.clock.now().toISOString(),
  });
  const journal = disk.files;
  let git: GitOps | null = null;
  let commit: string | null = null;
  let pushed = false;
  await ctx.pause?.('before-lock');
  try {
    const out = await ctx.registry.write(async () => {
      await ctx.registry.exclusive(input.scope);
      await ctx.pause?.('locked');
      await input.verify();
      let edits: ServingEdit[] = [];
      if (input.serving) {
        edits = renderServing(ctx.root, input.serving.model, input.serving.spec, input.serving.target);
        if (ctx.git.commit || !ctx.git.allowDirty) {
          git = await ctx.openGit(dirname(edits[0]!.path));
          if (!ctx.git.allowDirty) {
            const dirty = await git.dirty(edits.map((e) => relative(git!.root, e.path)));
            if (dirty.length)
              throw new UsageError(
                `${dirty.join(', ')} ha${dirty.length === 1 ? 's' : 've'} uncommitted changes; commit or discard them first, or pass --allow-dirty`,
              );
          }
        }
        disk.begin(git ? (git as GitOps).root : null);
        for (const e of edits) {
          if (e.after === e.before) continue;
          journal.snapshot(e.path);
          atomicWrite(e.path, e.after);
        }
      } else disk.begin(null);
      await input.adr(journal);
      disk.written();
      await ctx.pause?.('written');
      const changed = journal.changed();
      const inRepo = git ? changed.filter((p) => !relative((git as GitOps).root, p).startsWith('..')) : [];
      // Without a serving target there is no GitOps repository: the ADR is simply a file.
      const outside = git ? changed.filter((p) => !inRepo.includes(p)).map((p) => relative(ctx.root, p)) : [];
      if (git && ctx.git.commit && inRepo.length) {
        const g: GitOps = git;
        const created = journal.createdFiles();
        commit = await g.commit({
          files: inRepo.map((p) => relative(g.root, p)),
          created: inRepo.filter((p) => created.includes(p)).map((p) => relative(g.root, p)),
          message: input.message,
          // ADR 19: every mlctl GitOps commit records the audit chain's committed head.
          trailers: { ...stepTrailers(input.step), ...(await auditHeadTrailer(ctx.registry)) },
        });
        disk.committed(commit);
        await ctx.pause?.('committed');
        if (ctx.git.push) {
          const r = await g.push(ctx.git.remote);
          if (!r.ok) throw pushError(ctx.git.remote, r.why, r.reason);
          pushed = true;
          disk.pushed();
          await ctx.pause?.('pushed');
        }
      }
      const result = await input.record(commit, edits);
      await ctx.registry.recordStep({
        ...recordedStep(input.step),
        commit,
        seq: (await ctx.registry.lastEvent())?.seq ?? 0,
        at: ctx.clock.now().toISOString(),
        actor: ctx.actor,
        how: 'recorded',
      });
      await ctx.pause?.('recorded');
      return { result, commit, pushed, files: changed.map((p) => relative(ctx.root, p)), outside };
    });
    disk.remove();
    return out;
  } catch (err) {
    if (commit && pushed) {
      // The commit is on the remote already: keep the files as committed (and the journal, which
      // lets the next command adopt the commit), and say what is out of step.
      throw new StorageError(
        `pushed ${shortHash(commit)} but could not record it in the registry (${(err as Error).message}); the serving files and the registry disagree until it is adopted — run mlctl rollout status ${input.step.model}`,
        { cause: err },
      );
    }
    if (commit && !pushed && git) {
      try {
        await (git as GitOps).undo(commit);
      } catch (undoErr) {
        throw new StorageError(
          `${(err as Error).message}; and the commit ${shortHash(commit)} could not be undone: ${(undoErr as Error).message}`,
          { cause: err },
        );
      }
    }
    journal.restore();
    disk.remove();
    throw err;
  }
}

/** The `steps` row of a step, without what only its end knows (commit, chain head, time). */
export const recordedStep = (s: StepIdentity) => ({
  id: s.id,
  model: s.model,
  action: s.action,
  rollout: s.rollout,
  stage: s.stage,
});
/** What a push that did not happen means, and what to do: only a remote that said no is "rejected". */
export function pushError(remote: string, why: PushFailure, reason: string): Error {
  const undone = 'nothing changed: the local commit was undone and the registry is untouched';
  switch (why) {
    case 'rejected':
      return new PushRejectedError(
        `git push to ${remote} was rejected (${reason}); ${undone} — pull, then run the command again`,
      );
    case 'unreachable':
      return new StorageError(
        `could not reach the git remote ${remote} (${reason}); ${undone} — check its URL (git remote -v) and the network, then run the command again`,
      );
    case 'denied':
      return new AuthError(
        `git push to ${remote} was denied (${reason}); ${undone} — check your git credentials for ${remote}, then run the command again`,
      );
    default:
      return new StorageError(
        `git push to ${remote} failed (${reason}); ${undone} — fix the cause, then run the command again`,
      );
  }
}
