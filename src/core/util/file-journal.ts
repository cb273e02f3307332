import { existsSync, readFileSync, rmSync } from 'node:fs';
import { atomicWrite } from './atomic-write.js';

/**
 * Remembers what files looked like before a multi-file change (serving configs, ADRs), so a step
 * that fails halfway — a git error, a rejected push, a registry conflict — puts every file back.
 */
export class FileJournal {
  private readonly saved = new Map<string, string | null>();

  /** `persist`: called after each new snapshot, before the caller touches the file (a journal on disk). */
  constructor(private readonly persist?: () => void) {}

  /** Call before changing or creating `path`. */
  snapshot(path: string): void {
    if (this.saved.has(path)) return;
    this.saved.set(path, existsSync(path) ? readFileSync(path, 'utf8') : null);
    this.persist?.();
  }

  /** Record that `path` did not exist before this change (call right after creating it). */
  created(path: string): void {
    if (this.saved.has(path)) return;
    this.saved.set(path, null);
    this.persist?.();
  }

  /** Every file snapshotted, with its content before the change (null: it did not exist). */
  entries(): Array<[string, string | null]> {
    return [...this.saved];
  }

  /** Files whose content differs from the snapshot. */
  changed(): string[] {
    return [...this.saved]
      .filter(([p, before]) => (existsSync(p) ? readFileSync(p, 'utf8') : null) !== before)
      .map(([p]) => p);
  }

  /** Files that did not exist before (and do now). */
  createdFiles(): string[] {
    return [...this.saved].filter(([p, before]) => before === null && existsSync(p)).map(([p]) => p);
  }

  restore(): void {
    for (const [p, before] of this.saved) {
      if (before === null) rmSync(p, { force: true });
      else atomicWrite(p, before);
    }
  }
}
