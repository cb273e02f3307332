/**
 * mlctl as a library: the same core the CLI calls, for scripts, notebooks and other tools.
 * Everything here takes its dependencies explicitly (registry, store, clock, actor).
 */
export { SqliteRegistry } from './adapters/sqlite/sqlite-registry.js';
export { FsBlobStore } from './adapters/blob/fs-store.js';
export { PgRegistry } from './adapters/postgres/pg-registry.js';
export { parsePgUrl } from './adapters/postgres/connection.js';
export { copyRegistry } from './adapters/registry/table-copy.js';
export { appendEvent, eventHash, GENESIS_HASH } from './core/audit/chain.js';
export { verifyChain } from './core/audit/verify.js';
export { verifyAudit } from './core/audit/verify-anchored.js';
export { queryAudit } from './core/audit/query.js';
export { championAt } from './core/audit/champion.js';
export { lineageOf, versionsTrainedOn } from './core/audit/lineage.js';
export { canonicalJson } from './core/canonical-json.js';
export { registerVersion } from './core/registry/register.js';
export { showVersion } from './core/registry/show.js';
export { resolveRef } from './core/registry/resolve.js';
export { runGate } from './core/gates/run-gate.js';
export { readPredictionsFile } from './core/gates/predictions-file.js';
export { parseMetrics } from './core/inputs/metrics-file.js';
export { delong } from './core/stats/delong.js';
export { mcnemar } from './core/stats/mcnemar.js';
export { psi } from './core/stats/psi.js';
export { look, mixtureRadius, InvalidCountsError } from './core/stats/confidence-sequence.js';
export type * from './core/stats/confidence-sequence.js';
export { fixedHorizonTrials, propTestPower, propTestSampleSize, secondsToTrials } from './core/stats/power.js';
export { simulateRollouts } from './core/stats/simulate.js';
export * from './core/errors.js';
export type * from './ports/registry.js';
