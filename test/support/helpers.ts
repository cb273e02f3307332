import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { expect, inject } from 'vitest';
import { main } from '../../src/cli/main.js';
import { makeDeps, type Deps } from '../../src/cli/deps.js';
import type { Io } from '../../src/cli/io.js';
import type { Registry } from '../../src/ports/registry.js';

export const BIN = fileURLToPath(new URL('../../bin/mlctl.js', import.meta.url));
export const S3_CREDS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
export const FIXED_NOW = '2026-11-23T10:00:00.000Z';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A clean environment: no inherited MLCTL_*, CI or AWS settings leak into a test. */
export function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    MLCTL_ACTOR: 'tester@example.com',
    MLCTL_NOW: FIXED_NOW,
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_EC2_METADATA_DISABLED: 'true',
    MLCTL_CACHE_DIR: inject('cacheDir'),
    ...extra,
  };
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  /** A pretend terminal on stdin and stderr (canPrompt() is true unless CI is set). */
  tty?: boolean;
  /** Replace parts of the real Deps, e.g. `{ prompter: async () => new FakePrompter([...]) }`. */
  deps?: Partial<Deps>;
}

/** Run a command in this process with buffered streams (fast; for command-level tests). */
export async function run(args: string[], o: RunOptions): Promise<RunResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const tty = !!o.tty;
  const io: Io = { out, err, in: new PassThrough(), outIsTTY: false, errIsTTY: tty, inIsTTY: tty, color: false };
  const deps = makeDeps(io, baseEnv(o.env), o.cwd);
  const code = await main(args, Object.assign(deps, o.deps));
  return { code, stdout, stderr };
}

/** A setup step that must succeed: fails the test with the command's stderr otherwise. */
export async function runOk(args: string[], o: RunOptions): Promise<RunResult> {
  const r = await run(args, o);
  expect(r.code, `mlctl ${args.join(' ')} (setup step) failed:\n${r.stderr}`).toBe(0);
  return r;
}

/** runBin for a setup step that must succeed. */
export async function runBinOk(args: string[], o: Parameters<typeof runBin>[1]): Promise<RunResult> {
  const r = await runBin(args, o);
  expect(r.code, `mlctl ${args.join(' ')} (setup step) failed:\n${r.stderr}`).toBe(0);
  return r;
}

/** Spawn the built binary (end-to-end). */
export function runBin(
  args: string[],
  o: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number },
): Promise<RunResult> {
  return spawnBin(args, o).done;
}

/** The built binary as a process: its pid (to kill it) and its result once it ends (killed: code 128+). */
export function spawnBin(
  args: string[],
  o: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number },
): { pid: number; done: Promise<RunResult> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: o.cwd,
    env: baseEnv(o.env) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = new Promise<RunResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
  return { pid: child.pid!, done };
}

/*
 * Every temporary folder a test makes is removed after it: folders made inside a test after that
 * test, folders made at file level (beforeAll, module scope) after the file (test/support/cleanup.ts).
 */
const made = { test: [] as string[], file: [] as string[] };
/**
 * Set by beforeEach/afterEach in cleanup.ts: whether a test body is running. (expect.getState()
 * keeps the previous test's name during a later beforeAll, so it cannot tell the two apart.)
 */
let inTest = false;
export function markInTest(running: boolean): void {
  inTest = running;
}

export function tempDir(prefix = 'mlctl-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  (inTest ? made.test : made.file).push(dir);
  return dir;
}

export function removeTempDirs(scope: 'test' | 'file'): void {
  for (const dir of made[scope].splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** A folder with mlctl.yaml (embedded defaults) and an initialized registry. */
export async function tempProject(extraConfig = ''): Promise<string> {
  const dir = tempDir();
  await runOk(['init', '--yes'], { cwd: dir });
  if (extraConfig) writeFileSync(join(dir, 'mlctl.yaml'), extraConfig);
  return dir;
}

export function writeModel(
  dir: string,
  name = 'model',
  files: Record<string, string | Buffer> = { 'weights.bin': randomBytes(2048), 'config.json': '{"layers": 3}\n' },
): string {
  const root = join(dir, name);
  for (const [p, content] of Object.entries(files)) {
    const f = join(root, p);
    mkdirSync(join(f, '..'), { recursive: true });
    writeFileSync(f, content);
  }
  return root;
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return f;
}

export async function createBucket(endpoint: string): Promise<string> {
  const bucket = `t-${randomBytes(6).toString('hex')}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return bucket;
}

export function s3Config(bucket: string, endpoint: string, prefix = 'team'): string {
  return `registry: .mlctl/registry.db\nartifacts: s3://${bucket}/${prefix}\ns3: { endpoint: ${endpoint}, region: us-east-1, forcePathStyle: true }\n`;
}

export function lastLine(s: string): string {
  return s.trim().split('\n').pop() ?? '';
}

/**
 * The project's registry opened as mlctl opens it (Deps, the Registry port): for assertions on what
 * a command recorded that no command prints, without SQL on the tables.
 */
export async function withRegistry<T>(dir: string, fn: (registry: Registry) => Promise<T>): Promise<T> {
  const io: Io = {
    out: new PassThrough(),
    err: new PassThrough(),
    in: new PassThrough(),
    outIsTTY: false,
    errIsTTY: false,
    inIsTTY: false,
    color: false,
  };
  const deps = makeDeps(io, baseEnv(), dir);
  try {
    return await fn(await deps.registry());
  } finally {
    await deps.close();
  }
}
