/**
 * Where a step may be held by a test (MLCTL_TEST_PAUSE, set only by tests; ARCHITECTURE.md): before
 * taking the lock (planned), holding it, files written, committed, pushed, recorded but not committed.
 */
export const PAUSE_PHASES = ['before-lock', 'locked', 'written', 'committed', 'pushed', 'recorded'] as const;
export type PausePhase = (typeof PAUSE_PHASES)[number];
