import type { TestProject } from 'vitest/node';
import { startS3rver, type S3rverHandle } from './s3rver.js';

/** One s3rver for the whole run; each test file makes its own bucket (and strict layer when it needs one). */
let server: S3rverHandle | undefined;

export async function setup(project: TestProject) {
  server = await startS3rver();
  project.provide('s3Endpoint', server.endpoint);
}

export async function teardown() {
  await server?.stop();
  server = undefined;
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3Endpoint: string;
  }
}
