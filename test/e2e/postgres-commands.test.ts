import { describe, expect, inject, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runBin, tempDir, writeModel } from '../support/helpers.js';
import { writePredictions } from '../support/predictions.js';
import { git, TEMPLATES } from '../support/gitops-project.js';
import { createDatabase, psqlAdmin, PW_PASSWORD, PW_USER } from '../support/postgres.js';
import { holdAt } from '../support/pause.js';
import { PG_MIGRATIONS } from '../../src/adapters/postgres/migrations.js';

const base = inject('pgBase');
const json = (s: string) => JSON.parse(s);

/**
 * Every command against a real PostgreSQL server (the run's private cluster): the same commands and
 * outputs as with the SQLite file, concurrency without lost versions, and one clear line for every
 * way the connection can fail.
 */
describe.skipIf(!base)('mlctl on a PostgreSQL registry (skipped only without the postgresql package)', () => {
  /** A GitOps project whose mlctl.yaml names a fresh PostgreSQL database. */
  function project(extra = ''): { dir: string; url: string; remote: string } {
    const url = createDatabase(base);
    const remote = tempDir('mlctl-remote-');
    git(remote, 'init', '-q', '--bare', '-b', 'main');
    const dir = tempDir('mlctl-pg-');
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'config', 'user.email', 'ci@example.com');
    git(dir, 'config', 'user.name', 'CI');
    writeFileSync(
      join(dir, 'mlctl.yaml'),
      `registry: ${url}\nartifacts: .mlctl/artifacts\nserving:\n  fraud:\n    adapter: istio\n    files: [deploy/fraud.yaml]\n${extra}`,
    );
    mkdirSync(join(dir, 'deploy'));
    writeFileSync(join(dir, 'deploy/fraud.yaml'), readFileSync(join(TEMPLATES, 'istio.yaml'), 'utf8'));
    writeFileSync(join(dir, '.gitignore'), '.mlctl/\nm*/\n*.csv\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'initial');
    git(dir, 'remote', 'add', 'origin', remote);
    git(dir, 'push', '-q', 'origin', 'main');
    return { dir, url, remote };
  }

  it('runs the whole life of a model: register, list, show, diff, gate, staged rollout, rollback, audit, lineage, verify, pull', async () => {
    const { dir, url } = project();
    writeFileSync(join(dir, 'gates.yaml'), 'gates:\n  - { id: ni, metric: auc, max_regression: { absolute: 0.01 } }\n');
    writeModel(dir, 'm1', { 'w.bin': 'one' });
    writeModel(dir, 'm2', { 'w.bin': 'two', 'sub/extra.json': '{}' });
    writeFileSync(join(dir, 'metrics.json'), '{"auc": 0.91}');
    const reg1 = await runBin(
      ['register', 'fraud', 'm1', '--metrics', 'metrics.json', '--tag', 'team=risk', '--json'],
      {
        cwd: dir,
      },
    );
    expect(reg1.code, reg1.stderr).toBe(0);
    expect(json(reg1.stdout).data.ref).toBe('fraud@1');
    const reg2 = await run(['register', 'fraud', 'm2', '--parent', 'fraud@1'], { cwd: dir });
    expect(reg2.code, reg2.stderr).toBe(0);
    // Same content, same commit: the CI retry returns the existing version.
    expect(
      json((await run(['register', 'fraud', 'm2', '--parent', 'fraud@1', '--json'], { cwd: dir })).stdout).data.ref,
    ).toBe('fraud@2');
    const list = json((await run(['list', '--json'], { cwd: dir })).stdout).data;
    expect(list.models[0]).toMatchObject({ name: 'fraud', versions: 2, latest: 2 });
    const show = json((await run(['show', 'fraud@1', '--json'], { cwd: dir })).stdout).data;
    expect(show).toMatchObject({ ref: 'fraud@1', tags: { team: 'risk' } });
    const diff = json((await run(['diff', 'fraud@1', 'fraud@2', '--json'], { cwd: dir })).stdout).data;
    expect(diff.files.added).toEqual(['sub/extra.json']);

    // First version: champion at once, serving file at 100%.
    const first = await run(['promote', 'fraud@1', '--yes', '--reason', 'first model'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const p = writePredictions(dir, { shift: 0.3 });
    const gate = await run(['gate', 'fraud@2', '--predictions', p.cand, '--baseline-predictions', p.base], {
      cwd: dir,
    });
    expect(gate.code, gate.stderr + gate.stdout).toBe(0);
    const start = await run(['promote', 'fraud@2', '--json'], { cwd: dir });
    expect(start.code, start.stderr).toBe(0);
    expect(json(start.stdout).data).toMatchObject({ action: 'start', rollout: 1 });
    const status = json((await run(['rollout', 'status', 'fraud', '--json'], { cwd: dir })).stdout).data;
    expect(status[0]).toMatchObject({ model: 'fraud', state: 'active' });
    for (let i = 0; i < 5; i++) {
      const adv = await run(['promote', 'fraud@2', '--force', '--reason', 'test', '--yes', '--json'], { cwd: dir });
      expect(adv.code, adv.stderr).toBe(0);
      if (json(adv.stdout).data.action === 'complete') break;
    }
    expect(json((await run(['show', 'fraud@champion', '--json'], { cwd: dir })).stdout).data.ref).toBe('fraud@2');
    expect(git(dir, 'log', '--format=%s').split('\n')[0]).toMatch(/fraud@2 full \(champion\)/);

    const back = await runBin(['rollback', 'fraud', '--yes', '--reason', 'latency'], { cwd: dir });
    expect(back.code, back.stderr).toBe(0);
    expect(json((await run(['show', 'fraud@champion', '--json'], { cwd: dir })).stdout).data.ref).toBe('fraud@1');

    const champ = json((await run(['audit', 'champion', 'fraud', '--json'], { cwd: dir })).stdout).data;
    expect(champ.timeline.map((c: { version: number }) => c.version)).toEqual([1, 2, 1]);
    const verify = await runBin(['audit', 'verify', '--json'], { cwd: dir });
    expect(verify.code, verify.stderr).toBe(0);
    expect(json(verify.stdout).data).toMatchObject({ ok: true });
    const lineage = json((await run(['lineage', 'fraud@2', '--json'], { cwd: dir })).stdout).data;
    expect(lineage.parents[0].ref).toBe('fraud@1');
    expect((await run(['verify', '--all'], { cwd: dir })).code).toBe(0);
    const pulled = await run(['pull', 'fraud@2', '--to', 'out'], { cwd: dir });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out/sub/extra.json'), 'utf8')).toBe('{}');

    // Tamper evidence: the events table refuses edits, for everyone but a superuser dropping triggers.
    expect(() => psqlAdmin(url, "UPDATE events SET actor = 'mallory' WHERE seq = 1")).toThrow(/append-only/);
    psqlAdmin(url, "ALTER TABLE events DISABLE TRIGGER USER; UPDATE events SET actor = 'mallory' WHERE seq = 2");
    const broken = await run(['audit', 'verify'], { cwd: dir });
    expect(broken.code).toBe(1);
    expect(broken.stderr + broken.stdout).toMatch(/event 2/);
  });

  it('32 processes registering at once get versions 1..32, none lost, and an intact chain', async () => {
    const { dir } = project();
    for (let i = 0; i < 32; i++) writeModel(dir, `m${i}`, { 'w.bin': `model ${i}` });
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        runBin(['register', 'fraud', `m${i}`, '--json'], { cwd: dir, timeoutMs: 120_000 }),
      ),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const refs = results.map((r) => json(r.stdout).data.ref as string).sort();
    expect(refs).toEqual(Array.from({ length: 32 }, (_, i) => `fraud@${i + 1}`).sort());
    const list = json((await run(['list', 'fraud', '--json'], { cwd: dir })).stdout).data;
    expect(list.versions).toHaveLength(32);
    const verify = json((await run(['audit', 'verify', '--json'], { cwd: dir })).stdout).data;
    expect(verify).toMatchObject({ ok: true });
    expect(verify.events).toBeGreaterThanOrEqual(32);
  });

  it('two promotes racing on one rollout: exactly one acts (one git commit), the other exits 3', async () => {
    const { dir } = project(
      'rollout:\n  plans:\n    quick:\n      - { stage: canary, weight: 10, minDuration: 30m }\n      - { stage: full }\n',
    );
    writeFileSync(
      join(dir, 'mlctl.yaml'),
      readFileSync(join(dir, 'mlctl.yaml'), 'utf8').replace(
        'files: [deploy/fraud.yaml]',
        'files: [deploy/fraud.yaml]\n    plan: quick',
      ),
    );
    git(dir, 'commit', '-qam', 'quick plan');
    for (const m of ['m1', 'm2']) {
      writeModel(dir, m, { 'w.bin': m });
      expect((await run(['register', 'fraud', m], { cwd: dir })).code).toBe(0);
    }
    expect((await run(['promote', 'fraud@1', '--yes'], { cwd: dir })).code).toBe(0);
    const started = await run(['promote', 'fraud@2', '--force', '--reason', 'race test'], { cwd: dir });
    expect(started.code, started.stderr).toBe(0);
    expect((await run(['rollout', 'status'], { cwd: dir, env: { MLCTL_NOW: '2026-11-23T10:59:00.000Z' } })).code).toBe(
      0,
    );
    const env = { MLCTL_NOW: '2026-11-23T11:00:00.000Z' };
    // Lined up with the test-only pause point: the second has planned the same step and waits
    // before the lock while the first holds it.
    const second = holdAt('before-lock', ['promote', 'fraud@2', '--yes'], { cwd: dir, env });
    await second.paused();
    const first = holdAt('locked', ['promote', 'fraud@2', '--yes'], { cwd: dir, env });
    await first.paused();
    second.release();
    first.release();
    const racing = Promise.all([first.done, second.done]);
    const [a, b] = await racing;
    expect([a.code, b.code].sort(), a.stderr + b.stderr).toEqual([0, 3]);
    const loser = a.code === 3 ? a : b;
    expect(loser.stderr).toMatch(/the rollout of fraud changed under this command/);
    const log = git(dir, 'log', '--format=%s').split('\n');
    expect(log.filter((l) => l === 'mlctl: fraud@2 full (champion)')).toHaveLength(1);
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expect((await run(['audit', 'verify'], { cwd: dir })).code).toBe(0);
  });

  it('one clear line and exit code for every way the connection can fail, never a password', async () => {
    const dir = tempDir();
    const port = new URL(base).port;
    const cases: Array<[string, number, RegExp, Record<string, string>?]> = [
      ['postgres://', 2, /not a valid PostgreSQL URL|names no host/],
      [`postgres://u@127.0.0.1:${port}/`, 2, /names no database/],
      [
        `postgres://u:hunter2@127.0.0.1:${port}/db`,
        2,
        /contains a password; remove it and put the password in PGPASSWORD or ~\/.pgpass/,
      ],
      [`postgres://u@127.0.0.1:${port}/db?sslmode=maybe`, 2, /sslmode=maybe is not one of/],
      [`postgres://u@127.0.0.1:${port}/db?options=x`, 2, /unknown PostgreSQL URL parameter "options"/],
      ['mysql://u@127.0.0.1/db', 2, /unsupported scheme "mysql:\/\/"/],
      ['postgres://postgres@127.0.0.1:1/db', 3, /cannot reach PostgreSQL at 127\.0\.0\.1:1: connection refused/],
      [
        `postgres://postgres@127.0.0.1:${port}/no_such_db`,
        3,
        /database no_such_db does not exist on PostgreSQL at 127\.0\.0\.1:\d+; create it/,
      ],
      [
        `postgres://${PW_USER}@127.0.0.1:${port}/postgres`,
        3,
        /refused user mlctl_pw: authentication failed; check PGPASSWORD or ~\/.pgpass/,
        { PGPASSWORD: 'wrong-Secret-9' },
      ],
    ];
    for (const [url, code, msg, env] of cases) {
      const r = await runBin(['list'], { cwd: dir, env: { MLCTL_REGISTRY: url, ...env } });
      expect(r.code, `${url}: ${r.stderr}`).toBe(code);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr + r.stdout).not.toMatch(/hunter2|wrong-Secret-9|at Object\.| {4}at /);
    }
    // In mlctl.yaml too; and the --json envelope carries the same one line.
    writeFileSync(join(dir, 'mlctl.yaml'), `registry: postgres://u:hunter2@127.0.0.1:${port}/db\n`);
    const y = await run(['list', '--json'], { cwd: dir });
    expect(y.code).toBe(2);
    expect(json(y.stdout).errors[0].message).toMatch(/mlctl.yaml: registry: the PostgreSQL URL contains a password/);
    expect(y.stdout + y.stderr).not.toContain('hunter2');
  });

  it('takes passwords from PGPASSWORD or ~/.pgpass (0600 only), like libpq', async () => {
    const dbUrl = createDatabase(base, PW_USER);
    const url = dbUrl.replace('postgres://postgres@', `postgres://${PW_USER}@`);
    const dir = tempDir();
    const home = tempDir('mlctl-home-');
    const viaEnv = await run(['init', '--yes', '--registry', url], { cwd: dir, env: { PGPASSWORD: PW_PASSWORD } });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(readFileSync(join(dir, 'mlctl.yaml'), 'utf8')).not.toContain(PW_PASSWORD);
    const u = new URL(url);
    const pgpass = join(home, '.pgpass');
    writeFileSync(pgpass, `# comment\n127.0.0.1:${u.port}:*:${PW_USER}:${PW_PASSWORD.replace(/:/g, '\\:')}\n`, {
      mode: 0o644,
    });
    const loose = await run(['list'], { cwd: dir, env: { HOME: home } });
    expect(loose.code).toBe(3); // libpq ignores a password file others can read
    writeFileSync(pgpass, readFileSync(pgpass), { mode: 0o600 });
    const { chmodSync } = await import('node:fs');
    chmodSync(pgpass, 0o600);
    const viaFile = await run(['list', '--json'], { cwd: dir, env: { HOME: home } });
    expect(viaFile.code, viaFile.stderr).toBe(0);
    // Nothing secret reached the registry.
    expect(psqlAdmin(dbUrl, "SELECT string_agg(payload || actor, '') FROM events")).not.toContain(PW_PASSWORD);
  });

  it('refuses a database with a newer schema, or with tables that are not a registry', async () => {
    const url = createDatabase(base);
    const dir = tempDir();
    expect((await run(['init', '--yes', '--registry', url], { cwd: dir })).code).toBe(0);
    psqlAdmin(url, "INSERT INTO mlctl_schema(version, applied_at) VALUES (99, 'x')");
    const r = await run(['list'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/has schema version 99, newer than this mlctl understands \(\d+\); upgrade mlctl/);
    const other = createDatabase(base);
    psqlAdmin(other, 'CREATE TABLE customers (id int)');
    const r2 = await run(['list'], { cwd: dir, env: { MLCTL_REGISTRY: other } });
    expect(r2.code).toBe(3);
    expect(r2.stderr).toMatch(/holds tables that are not an mlctl registry/);
  });

  it('migrates once when many processes open a new database at the same moment', async () => {
    const url = createDatabase(base);
    const dir = tempDir();
    writeFileSync(join(dir, 'mlctl.yaml'), `registry: ${url}\n`);
    writeModel(dir, 'm', { 'w.bin': 'x' });
    const rs = await Promise.all(
      Array.from({ length: 6 }, () => runBin(['register', 'fraud', 'm', '--json'], { cwd: dir })),
    );
    for (const r of rs) expect(r.code, r.stderr).toBe(0);
    expect(new Set(rs.map((r) => json(r.stdout).data.ref))).toEqual(new Set(['fraud@1']));
    expect(psqlAdmin(url, 'SELECT count(*) FROM mlctl_schema').trim()).toBe(String(PG_MIGRATIONS.length));
  });
});
