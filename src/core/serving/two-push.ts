import type { PendingLabel, TrafficTarget } from './types.js';

/*
 * The two-push rule of version labels (TF Serving refuses a label on a version that is not loaded):
 * a label may only point at a version the CURRENT file already loads. A commit that loads a version
 * leaves its labels where they were (pending); the next commit, once the version is loaded, moves them.
 */

export interface LabelState {
  /** null: the policy is not `specific`, so the file cannot say what is loaded. */
  loaded: number[] | null;
  labels: Map<string, number>;
}

/** stable → the version serving production (the candidate from full on), canary → the candidate while it rolls out. */
export function wantedLabels(t: TrafficTarget): Map<string, number> {
  if (!t.candidate) return new Map([['stable', t.champion.version]]);
  const stable = t.weight === 100 ? t.candidate.version : t.champion.version;
  return new Map([
    ['stable', stable],
    ['canary', t.candidate.version],
  ]);
}

export interface LabelPlan {
  /** What the next file says: versions to load (wanted first) and labels. */
  loaded: number[];
  labels: Map<string, number>;
  /** Labels that could not move yet; a later commit (same target) writes them. */
  pending: PendingLabel[];
}

/**
 * The next file on the way to `want`. A label moves only onto a version `current` loads; a NEW label
 * may name a version being loaded when the server allows it (`allowUnavailable`); a label that must
 * wait keeps its old version, which therefore stays loaded. Labels `want` does not name are dropped.
 * Applying the same `want` to the result converges: at most two commits.
 */
export function planLabels(
  current: LabelState,
  want: { loaded: number[]; labels: Map<string, number> },
  allowUnavailable: boolean,
): LabelPlan {
  const loadedNow = new Set(current.loaded ?? []);
  const labels = new Map<string, number>();
  const pending: PendingLabel[] = [];
  for (const [label, version] of want.labels) {
    const had = current.labels.get(label);
    if (had === version || loadedNow.has(version) || (had === undefined && allowUnavailable))
      labels.set(label, version);
    else {
      pending.push({ label, version });
      if (had !== undefined) labels.set(label, had);
    }
  }
  return { loaded: [...new Set([...want.loaded, ...labels.values()])], labels, pending };
}

/** The rule as a check on a written commit: problems found going from `before` to `after` (none expected). */
export function twoPushViolations(before: LabelState, after: LabelState, allowUnavailable: boolean): string[] {
  const out: string[] = [];
  for (const [label, version] of after.labels) {
    const had = before.labels.get(label);
    if (after.loaded !== null && !after.loaded.includes(version))
      out.push(`label ${label} points at version ${version}, which the file does not load`);
    else if (had !== version && !before.loaded?.includes(version) && !(had === undefined && allowUnavailable))
      out.push(`label ${label} moves to version ${version} in the commit that loads it`);
  }
  return out;
}
