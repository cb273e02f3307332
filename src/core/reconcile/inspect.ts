import { dirname, isAbsolute, join } from 'node:path';
import { parseAuditHead, AUDIT_HEAD_TRAILER } from '../audit/anchors.js';
import { readStepJournal, type StepJournalData } from '../rollout/step-journal.js';
import { STEP_ID, type StepIdentity } from '../rollout/step-identity.js';
import { STEP_ACTIONS, type Registry, type StepAction, type StepRecord } from '../../ports/registry.js';
import type { GitOps, TrailedCommit } from '../../ports/gitops.js';
import type { GitSettings } from '../rollout/step.js';
import type { ServingSpec } from '../config/index.js';

/** What reconciliation looks at: the registry, the project's journals, the GitOps repository. */
export interface ReconcileView {
  registry: Registry;
  root: string;
  git: GitSettings;
  openGit(dir: string): Promise<GitOps>;
  serving: Record<string, ServingSpec>;
}

/**
 * How the registry, the GitOps history and the working tree disagree about a model's last step
 * (ADR 26), or null when they agree.
 * - `stale-journal`: the step was recorded; only its journal was left (killed just after the record).
 * - `uncommitted`: files written by a step that made no commit (killed before it, or --no-commit).
 * - `unrecorded`: a commit made by an mlctl step against this registry that the registry never recorded.
 * - `reverted`: an interrupted step's commit that was reverted since (only its journal is left).
 * - `registry-ahead`: the registry's last step's commit is not in the current branch (reset, other branch).
 * - `superseded`: an unrecorded mlctl commit older than a step the registry recorded since.
 */
export type Disagreement =
  | { kind: 'stale-journal'; model: string; journal: StepJournalData }
  | { kind: 'uncommitted'; model: string; journal: StepJournalData }
  | {
      kind: 'unrecorded';
      model: string;
      step: StepIdentity;
      commit: string;
      journal: StepJournalData | null;
      published: boolean;
      head: boolean;
      git: GitOps;
    }
  | { kind: 'reverted'; model: string; journal: StepJournalData; commit: string }
  | { kind: 'registry-ahead'; model: string; step: StepRecord }
  | { kind: 'superseded'; model: string; step: StepIdentity; commit: string; by: StepRecord };

/** How many of a model's newest commits are compared with the registry. */
const DEPTH = 20;

async function gitFor(view: ReconcileView, model: string, journal: StepJournalData | null): Promise<GitOps | null> {
  const spec = view.serving[model];
  const first = spec?.files[0];
  const dir = journal?.repo ?? (first ? dirname(isAbsolute(first) ? first : join(view.root, first)) : null);
  if (!dir) return null;
  try {
    return await view.openGit(dir);
  } catch {
    return null; // not a git repository: nothing to compare with (doctor says so on its own)
  }
}

/** A step as its commit's trailers describe it; null for commits made before steps had ids. */
export function stepOfTrailers(t: Record<string, string>): StepIdentity | null {
  const id = t['Mlctl-Step'];
  const action = t['Mlctl-Action'] as StepAction | undefined;
  const version = Number(t['Mlctl-Version']);
  if (!id || !STEP_ID.test(id) || !action || !STEP_ACTIONS.includes(action) || !Number.isSafeInteger(version))
    return null;
  return {
    id,
    model: t['Mlctl-Model']!,
    action,
    version,
    stage: t['Mlctl-Stage'] ?? '',
    rollout: t['Mlctl-Rollout'] ?? null,
    ...(t['Mlctl-Plan'] !== undefined ? { plan: t['Mlctl-Plan'] } : {}),
  };
}

/** Was this commit made against this registry (its Mlctl-Audit-Head is an event of this chain)? */
async function madeHere(registry: Registry, c: TrailedCommit): Promise<number | null> {
  const head = parseAuditHead(c.trailers[AUDIT_HEAD_TRAILER]);
  if (!head) return null;
  const e = await registry.rawEvent(head.seq);
  return e && e.hash === head.hash ? head.seq : null;
}

/** Compare one model's last step in the registry, its journal and its GitOps history (reads only). */
export async function inspectModel(view: ReconcileView, model: string): Promise<Disagreement | null> {
  const journal = readStepJournal(view.root, model);
  if (journal && (await view.registry.getStep(journal.step.id))) return { kind: 'stale-journal', model, journal };
  const git = await gitFor(view, model, journal);
  const commits = git ? await git.modelCommits(model, DEPTH) : [];
  const unrecorded = async (step: StepIdentity, commit: string, j: StepJournalData | null): Promise<Disagreement> => ({
    kind: 'unrecorded',
    model,
    step,
    commit,
    journal: j,
    published: await git!.published(commit, view.git.remote),
    head: commit === (await git!.head()),
    git: git!,
  });
  if (journal) {
    const c = commits.find((x) => x.trailers['Mlctl-Step'] === journal.step.id);
    if (c && (await git!.reverted(c.commit))) return { kind: 'reverted', model, journal, commit: c.commit };
    if (c) return unrecorded(journal.step, c.commit, journal);
    // Committed, then dropped from the branch (reset): it counts only if the remote has it.
    if (git && journal.commit && (await git.published(journal.commit, view.git.remote)))
      return unrecorded(journal.step, journal.commit, journal);
    return { kind: 'uncommitted', model, journal };
  }
  const newest = commits.map((c) => ({ c, step: stepOfTrailers(c.trailers) })).find((x) => x.step);
  if (!newest) return null;
  const last = await view.registry.lastStep({ model, committed: true });
  if (await view.registry.getStep(newest.step!.id)) {
    if (last && last.id !== newest.step!.id && !commits.some((c) => c.trailers['Mlctl-Step'] === last.id))
      return { kind: 'registry-ahead', model, step: last };
    return null;
  }
  const madeAt = await madeHere(view.registry, newest.c);
  if (madeAt === null) return null; // another registry's commit (a new registry on an old repository)
  if (last && last.seq > madeAt)
    return { kind: 'superseded', model, step: newest.step!, commit: newest.c.commit, by: last };
  if (await git!.reverted(newest.c.commit)) return null; // undone by hand: the history and the registry agree
  return unrecorded(newest.step!, newest.c.commit, null);
}
