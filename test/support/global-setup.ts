import type { TestProject } from 'vitest/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3rver, type S3rverHandle } from './s3rver.js';
import { havePostgres, startPgCluster, type PgCluster } from './postgres.js';

/**
 * One s3rver for the whole run (each test file makes its own bucket, and a strict layer when it
 * needs one), and one private PostgreSQL cluster when the package is installed (each test file makes
 * its own database).
 */
let server: S3rverHandle | undefined;
let pg: PgCluster | undefined;
/** The user cache folder of every command a test runs (hash cache, shared registries): never the real ~/.cache. */
let cacheDir: string | undefined;

export async function setup(project: TestProject) {
  server = await startS3rver();
  project.provide('s3Endpoint', server.endpoint);
  if (havePostgres) pg = await startPgCluster();
  project.provide('pgBase', pg?.base ?? '');
  cacheDir = mkdtempSync(join(tmpdir(), 'mlctl-test-cache-'));
  project.provide('cacheDir', cacheDir);
}

export async function teardown() {
  await server?.stop();
  server = undefined;
  pg?.stop();
  pg = undefined;
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3Endpoint: string;
    /** postgres://postgres@127.0.0.1:PORT of the run's private cluster; '' without PostgreSQL. */
    pgBase: string;
    cacheDir: string;
  }
}
