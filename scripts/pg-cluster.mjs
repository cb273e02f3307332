// A private PostgreSQL cluster for tests and benchmarks, from Debian's `postgresql` package
// (.ci/run installs it): initdb into a temporary folder, started on a free port on 127.0.0.1,
// stopped and removed by stop(). PostgreSQL refuses to run as root, so as root it runs as the
// `postgres` user. Authentication: `trust` for the admin role `postgres`, SCRAM passwords for the
// role PW_USER (so tests can check a wrong password and PGPASSWORD/.pgpass handling for real).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

export const PW_USER = 'mlctl_pw';
export const PW_PASSWORD = 'correct horse battery staple';

export function pgBinDir() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : undefined;
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => res(port));
    });
  });
}

export async function startPgCluster({ maxConnections = 200 } = {}) {
  const bin = pgBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'mlctl-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const run = (cmd, args) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe', cwd: dir })
      : execFileSync(join(bin, cmd), args, { stdio: 'pipe', cwd: dir });
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  writeFileSync(
    join(data, 'pg_hba.conf'),
    [
      'local all all trust',
      `host all ${PW_USER} 127.0.0.1/32 scram-sha-256`,
      'host all all 127.0.0.1/32 trust',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=${maxConnections}`,
    'start',
  ]);
  const base = `postgres://postgres@127.0.0.1:${port}`;
  psqlAdmin(`${base}/postgres`, `CREATE ROLE ${PW_USER} LOGIN PASSWORD '${PW_PASSWORD.replace(/'/g, "''")}'`);
  return {
    port,
    base,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh, empty database on the cluster, owned by `owner`; returns its URL. */
export function createDatabase(base, owner = 'postgres') {
  const name = `t_${randomBytes(6).toString('hex')}`;
  psqlAdmin(`${base}/postgres`, `CREATE DATABASE ${name} OWNER ${owner}`);
  return `${base}/${name}`;
}

/** Run SQL as the admin role (seeding, and tests that tamper with rows on purpose). */
export function psqlAdmin(url, sql) {
  const u = new URL(url);
  return execFileSync(
    join(pgBinDir(), 'psql'),
    [
      '-h',
      u.hostname,
      '-p',
      u.port,
      '-U',
      'postgres',
      '-d',
      u.pathname.slice(1),
      '-qAt',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      sql,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  ).toString();
}

/**
 * Hold a session-level advisory lock on `name` (the key mlctl's transaction-level locks use) from a
 * separate psql session until release(): lets a test line racing commands up deterministically.
 */
export function holdAdvisoryLock(url, name) {
  const u = new URL(url);
  const p = spawn(
    join(pgBinDir(), 'psql'),
    ['-h', u.hostname, '-p', u.port, '-U', 'postgres', '-d', u.pathname.slice(1), '-qAt', '-v', 'ON_ERROR_STOP=1'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const held = new Promise((resolve, reject) => {
    p.stdout.on('data', (d) => {
      if (d.toString().includes('locked')) resolve();
    });
    p.on('exit', (code) => reject(new Error(`psql exited (${code}) before taking the lock`)));
  });
  p.stdin.write(`SELECT pg_advisory_lock(hashtextextended('${name.replace(/'/g, "''")}', 0)); SELECT 'locked';\n`);
  return { held, release: () => p.stdin.end() };
}

/** Installed, and runnable: as root it needs `runuser` (util-linux) to start the server as `postgres`. */
export const havePostgres =
  pgBinDir() !== undefined &&
  (process.getuid?.() !== 0 || spawnSync('runuser', ['--help'], { stdio: 'ignore' }).status !== null);
