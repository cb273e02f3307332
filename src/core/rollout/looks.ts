import type { RunningState, SequenceParams } from '../stats/confidence-sequence.js';
import type { CompareLookRecord } from '../../ports/registry.js';

/**
 * The running intersection of a stage's stored looks. Only looks that counted (min_trials on both
 * sides) and that were judged with the same direction, α and τ belong to one confidence sequence: a
 * sequence's coverage holds for its own parameters, so a config edit mid-stage starts a new one
 * rather than intersecting intervals of different sequences.
 */
export function runningState(
  looks: CompareLookRecord[],
  p: Pick<SequenceParams, 'better' | 'alpha' | 'tau'>,
): RunningState | null {
  let state: RunningState | null = null;
  for (const l of looks) {
    if (!l.counted || l.lower === null || l.upper === null) continue;
    if (l.better !== p.better || l.alpha !== p.alpha || l.tau !== p.tau) continue;
    state = state
      ? { lower: Math.max(state.lower, l.lower), upper: Math.min(state.upper, l.upper), looks: state.looks + 1 }
      : { lower: l.lower, upper: l.upper, looks: 1 };
  }
  return state;
}

/** How an interval is written in details and ADR lines: [-0.00123, 0.00045]. */
export const formatInterval = (lower: number, upper: number): string => `[${fmtDiff(lower)}, ${fmtDiff(upper)}]`;

export const fmtDiff = (x: number): string => (Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(3) : x.toFixed(5));
