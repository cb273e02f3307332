import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError, UsageError } from '../errors.js';
import { sha256Hex } from '../hashing/digest.js';
import { atomicWrite } from '../util/atomic-write.js';
import { FileJournal } from '../util/file-journal.js';
import type { StepIdentity } from './step-identity.js';

/** How far the step got: files being written, all written, committed, pushed (ADR 26). */
export type StepPhase = 'writing' | 'written' | 'committed' | 'pushed';

export interface JournalEntry {
  path: string;
  /** The file before the step (null: it did not exist). */
  before: string | null;
  /** sha256 of what the step wrote (null: not known yet, or the step removed the file). */
  after: string | null;
}

/** The journal of a step in progress, on disk from before its first file edit until it is recorded. */
export interface StepJournalData {
  mlctl: 'step-journal';
  version: 1;
  step: StepIdentity;
  actor: string;
  startedAt: string;
  phase: StepPhase;
  /** The GitOps repository the step commits to, and the commit once made. */
  repo: string | null;
  commit: string | null;
  files: JournalEntry[];
}

const DIR = ['.mlctl', 'steps'];

/** `<project>/.mlctl/steps/<model>.json`: one step at a time per model (the step's lock scope). */
export const journalPath = (root: string, model: string): string => join(root, ...DIR, `${model}.json`);

/** The models with a journal left in this project (steps killed before they were recorded). */
export function journaledModels(root: string): string[] {
  const dir = join(root, ...DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function readStepJournal(root: string, model: string): StepJournalData | null {
  const path = journalPath(root, model);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UsageError(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    const d = JSON.parse(text) as StepJournalData;
    if (d.mlctl !== 'step-journal' || d.version !== 1 || !Array.isArray(d.files) || !d.step?.id) throw new Error();
    return d;
  } catch {
    throw new UsageError(
      `${path} is not a journal of an mlctl step (damaged?); look at it, restore the serving files with git if needed, then delete it`,
    );
  }
}

/**
 * The on-disk side of a step: written before the first file edit (each file's content before the
 * step), updated as the step goes (what it wrote, its commit, its push) and removed once the
 * registry has recorded it. A later command finds it if the process died in between.
 */
export class StepJournal {
  readonly files: FileJournal;
  private data: StepJournalData;
  private readonly path: string;
  private began = false;

  constructor(root: string, step: StepIdentity, o: { actor: string; startedAt: string }) {
    this.path = journalPath(root, step.model);
    this.data = {
      mlctl: 'step-journal',
      version: 1,
      step,
      actor: o.actor,
      startedAt: o.startedAt,
      phase: 'writing',
      repo: null,
      commit: null,
      files: [],
    };
    this.files = new FileJournal(() => {
      if (this.began) this.save();
    });
  }

  /**
   * Before the first edit. Under the step's lock, a journal already there is a step that was killed
   * and not reconciled: never written over. The folder ignores itself in git, like the rest of .mlctl/.
   */
  begin(repo: string | null): void {
    if (existsSync(this.path))
      throw new StorageError(
        `an earlier step of ${this.data.step.model} was interrupted (${this.path}); run mlctl rollout status ${this.data.step.model} to reconcile it, then run this command again`,
      );
    const dir = join(this.path, '..');
    mkdirSync(dir, { recursive: true });
    const ignore = join(dir, '..', '.gitignore');
    if (!existsSync(ignore)) writeFileSync(ignore, '*\n');
    this.data.repo = repo;
    this.began = true;
    this.save();
  }

  /** Every file written: remember what the step wrote, so its files can be told from later edits. */
  written(): void {
    this.data.phase = 'written';
    this.save();
  }

  committed(sha: string): void {
    this.data.phase = 'committed';
    this.data.commit = sha;
    this.save();
  }

  pushed(): void {
    this.data.phase = 'pushed';
    this.save();
  }

  /** Only this step's own journal: one found at begin() is left for reconciliation. */
  remove(): void {
    if (this.began) rmSync(this.path, { force: true });
  }

  private save(): void {
    const known = new Map(this.data.files.map((f) => [f.path, f.after]));
    this.data.files = this.files.entries().map(([path, before]) => ({
      path,
      before,
      after: this.data.phase === 'writing' ? (known.get(path) ?? null) : contentHash(path),
    }));
    atomicWrite(this.path, `${JSON.stringify(this.data, null, 1)}\n`);
  }
}

const contentHash = (path: string): string | null => (existsSync(path) ? sha256Hex(readFileSync(path, 'utf8')) : null);

export interface RestoredFiles {
  restored: string[];
  /** Changed since the step wrote them: somebody else's edits, left alone. */
  kept: string[];
}

/**
 * Put back the files an interrupted step wrote: each one still holding what the step wrote (or,
 * for a step killed while writing, anything other than its old content) gets its old content back.
 */
export function restoreJournalFiles(j: StepJournalData): RestoredFiles {
  const out: RestoredFiles = { restored: [], kept: [] };
  for (const f of j.files) {
    const now = existsSync(f.path) ? readFileSync(f.path, 'utf8') : null;
    if (now === f.before) continue;
    const mine = j.phase === 'writing' && f.after === null ? true : (now === null ? null : sha256Hex(now)) === f.after;
    if (!mine) {
      out.kept.push(f.path);
      continue;
    }
    if (f.before === null) rmSync(f.path, { force: true });
    else atomicWrite(f.path, f.before);
    out.restored.push(f.path);
  }
  return out;
}

export const removeStepJournal = (root: string, model: string): void =>
  rmSync(journalPath(root, model), { force: true });
