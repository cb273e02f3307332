/**
 * The run's private PostgreSQL cluster (started once in global-setup.ts): the logic lives in
 * scripts/pg-cluster.mjs so that the benchmarks start theirs the same way.
 */
export {
  createDatabase,
  havePostgres,
  holdAdvisoryLock,
  pgBinDir,
  psqlAdmin,
  PW_PASSWORD,
  PW_USER,
  startPgCluster,
  type PgCluster,
} from '../../scripts/pg-cluster.mjs';
