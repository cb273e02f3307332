import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runBin, tempDir } from '../support/helpers.js';

const json = (s: string) => JSON.parse(s);
const git = (cwd: string, ...a: string[]) =>
  execFileSync('git', a, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const statuses = (stdout: string) =>
  Object.fromEntries(json(stdout).data.checks.map((c: { check: string; status: string }) => [c.check, c.status]));

async function repo() {
  const dir = tempDir('mlctl-doctor-');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'ci@example.com');
  git(dir, 'config', 'user.name', 'CI');
  expect((await run(['init', '--yes', '--model', 'fraud', '--adapter', 'istio'], { cwd: dir })).code).toBe(0);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'init');
  return dir;
}

describe('mlctl doctor', () => {
  it('a healthy project: every check ok, exit 0, with a probe of the artifact store', async () => {
    const dir = await repo();
    const r = await run(['doctor', '--json'], { cwd: dir });
    expect(r.code, r.stdout).toBe(0);
    expect(statuses(r.stdout)).toEqual({
      config: 'ok',
      'gate policy': 'ok',
      registry: 'ok',
      'registry integrity': 'ok',
      'artifact store': 'ok',
      'serving files': 'ok',
      'rollout steps': 'ok',
      clock: 'ok',
      'ADR folder': 'ok',
    });
  });

  it('lists every problem with its fix and exits 1: unreachable S3, missing serving file', async () => {
    const dir = await repo();
    writeFileSync(
      join(dir, 'mlctl.yaml'),
      `${(await import('node:fs')).readFileSync(join(dir, 'mlctl.yaml'), 'utf8').replace('artifacts: .mlctl/artifacts', 'artifacts: s3://bucket/x')}s3: { endpoint: http://127.0.0.1:1, region: us-east-1, forcePathStyle: true }\n`,
    );
    rmSync(join(dir, 'deploy/fraud/istio.yaml'));
    // The AWS SDK reads credentials from the process environment: a real process.
    const r = await runBin(['doctor'], { cwd: dir, env: { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^artifact store\s+FAIL\s+cannot reach S3 endpoint http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\).*check artifacts\/s3 in mlctl.yaml/m,
    );
    expect(r.stdout).toMatch(/^serving files\s+FAIL\s+missing: deploy\/fraud\/istio\.yaml/m);
    expect(r.stderr.trim()).toBe('mlctl: 2 check(s) failed: artifact store, serving files');
  });

  it('in GitHub Actions: a shallow checkout and missing cloud permissions fail, the GITHUB_TOKEN push caveat is a warning', async () => {
    const origin = await repo();
    const clone = tempDir('mlctl-shallow-');
    git(clone, 'clone', '-q', '--depth', '1', `file://${origin}`, '.');
    git(clone, 'config', 'user.email', 'ci@example.com');
    expect((await run(['init', '--yes', '--force'], { cwd: clone })).code).toBe(0);
    git(clone, 'checkout', '-q', '--', 'mlctl.yaml');
    writeFileSync(
      join(clone, 'mlctl.yaml'),
      (await import('node:fs'))
        .readFileSync(join(clone, 'mlctl.yaml'), 'utf8')
        .replace('registry: .mlctl/registry.db', 'registry: s3://team/mlctl/registry.db'),
    );
    const r = await run(['doctor', '--json'], { cwd: clone, env: { GITHUB_ACTIONS: 'true' } });
    expect(r.code).toBe(1);
    const checks = json(r.stdout).data.checks as Array<{ check: string; status: string; fix: string }>;
    expect(checks.find((c) => c.check === 'checkout depth')).toMatchObject({
      status: 'fail',
      fix: 'actions/checkout with `fetch-depth: 0`',
    });
    expect(checks.find((c) => c.check === 'permissions')).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/id-token: write/),
    });
    expect(checks.find((c) => c.check === 'push trigger')).toMatchObject({ status: 'warn' });
  });
});
