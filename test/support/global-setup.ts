import type { TestProject } from 'vitest/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3rver, type S3rverHandle } from './s3rver.js';

/** One s3rver for the whole run; each test file makes its own bucket (and strict layer when it needs one). */
let server: S3rverHandle | undefined;
/** The user cache folder of every command a test runs (hash cache, shared registries): never the real ~/.cache. */
let cacheDir: string | undefined;

export async function setup(project: TestProject) {
  server = await startS3rver();
  project.provide('s3Endpoint', server.endpoint);
  cacheDir = mkdtempSync(join(tmpdir(), 'mlctl-test-cache-'));
  project.provide('cacheDir', cacheDir);
}

export async function teardown() {
  await server?.stop();
  server = undefined;
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3Endpoint: string;
    cacheDir: string;
  }
}
