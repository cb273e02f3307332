import { afterAll, beforeAll, inject } from 'vitest';
import { join } from 'node:path';
import { SharedRegistry } from '../../src/adapters/registry/shared-registry.js';
import { sharedRemote } from '../../src/adapters/registry/s3-remote.js';
import { S3_CREDS, createBucket, tempDir } from '../support/helpers.js';
import { startStrictS3, type StrictS3 } from '../support/strict-s3.js';
import { registryContract } from '../registry/contract.js';

/**
 * The same contract on the SQLite file shared on S3 (through the strict layer, which enforces the
 * conditional writes its lock relies on). Its events table is SQLite's, whose triggers the SQLite
 * run of the contract checks; the cached copy is not reachable from here, so no tamper step.
 */
let strict: StrictS3;
let bucket: string;
beforeAll(async () => {
  // The S3 client takes credentials from the standard AWS chain of this process.
  Object.assign(process.env, S3_CREDS);
  bucket = await createBucket(inject('s3Endpoint'));
  strict = await startStrictS3({ upstream: inject('s3Endpoint'), credentials: { S3RVER: 'S3RVER' } });
});
afterAll(async () => {
  await strict?.close();
});

let n = 0;
registryContract({
  name: 'SQLite shared on S3',
  open: () =>
    SharedRegistry.open(
      sharedRemote(
        `s3://${bucket}/contract-${++n}/registry.db`,
        { endpoint: strict.endpoint, region: 'us-east-1', forcePathStyle: true },
        { ...S3_CREDS },
      ),
      {
        cacheRoot: join(tempDir(), 'cache'),
        offline: false,
        create: true,
        lockTimeoutMs: 30_000,
        lockTtlMs: 600_000,
        clock: { now: () => new Date('2026-11-23T10:00:00Z') },
        actor: async () => 'tester',
        command: 'contract test',
        note: () => undefined,
      },
    ),
});
