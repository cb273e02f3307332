import { createReadStream, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { ClientConfig } from 'pg';
import { StorageError, UsageError } from '../../core/errors.js';

export type Env = Record<string, string | undefined>;

/** A PostgreSQL registry URL, without any password (mlctl refuses URLs that carry one). */
export interface PgTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  /** libpq's sslmode: disable, prefer, require, verify-ca, verify-full (default prefer, like libpq). */
  sslmode: string;
  sslrootcert?: string;
  /** postgres://user@host:port/db?sslmode=…, safe to print. */
  display: string;
}

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];
const KNOWN_PARAMS = ['sslmode', 'sslrootcert', 'application_name', 'connect_timeout'];

export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//i.test(s);
}

/**
 * Parse `postgres://user@host:5432/db?sslmode=require`. A password in the URL is refused: it would
 * sit in mlctl.yaml, in shell history or in `ps`; libpq's own places (PGPASSWORD, ~/.pgpass) are
 * where it belongs. Messages never repeat the URL's userinfo.
 */
export function parsePgUrl(raw: string, env: Env, where = 'registry'): PgTarget {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(
      `${where}: not a valid PostgreSQL URL; expected postgres://user@host:5432/dbname?sslmode=require`,
    );
  }
  if (u.password)
    throw new UsageError(
      `${where}: the PostgreSQL URL contains a password; remove it and put the password in PGPASSWORD or ~/.pgpass (mlctl never stores credentials)`,
    );
  if (!u.hostname)
    throw new UsageError(`${where}: the PostgreSQL URL names no host; expected postgres://user@host:5432/dbname`);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database || database.includes('/'))
    throw new UsageError(`${where}: the PostgreSQL URL names no database; expected postgres://user@${u.host}/dbname`);
  const port = u.port ? Number(u.port) : Number(env.PGPORT ?? 5432);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`${where}: port ${JSON.stringify(u.port || env.PGPORT)} is not a TCP port`);
  for (const k of u.searchParams.keys())
    if (!KNOWN_PARAMS.includes(k))
      throw new UsageError(
        `${where}: unknown PostgreSQL URL parameter ${JSON.stringify(k)}; mlctl understands ${KNOWN_PARAMS.join(', ')}`,
      );
  const sslmode = u.searchParams.get('sslmode') ?? env.PGSSLMODE ?? 'prefer';
  if (!SSL_MODES.includes(sslmode))
    throw new UsageError(`${where}: sslmode=${sslmode} is not one of ${SSL_MODES.join(', ')}`);
  const user = decodeURIComponent(u.username) || env.PGUSER || safeUser();
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const sslrootcert = u.searchParams.get('sslrootcert') ?? env.PGSSLROOTCERT;
  const query = u.searchParams.get('sslmode') ? `?sslmode=${sslmode}` : '';
  return {
    host,
    port,
    database,
    user,
    sslmode,
    ...(sslrootcert ? { sslrootcert } : {}),
    display: `postgres://${encodeURIComponent(user)}@${u.host}/${encodeURIComponent(database)}${query}`,
  };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'postgres';
  }
}

/** The password from PGPASSWORD, else the first matching ~/.pgpass (PGPASSFILE) line, like libpq. */
async function lookupPassword(t: PgTarget, env: Env): Promise<string | undefined> {
  if (env.PGPASSWORD !== undefined) return env.PGPASSWORD;
  // pgpass's helper implements libpq's file format (wildcards, escapes); we give it our environment.
  const helper = (await import('pgpass/lib/helper.js')) as unknown as PgPassHelper;
  const file = helper.getFileName(env as NodeJS.ProcessEnv);
  try {
    const st = statSync(file);
    // libpq ignores a password file that others can read; so do we (and say nothing secret).
    if (!st.isFile() || (st.mode & 0o077) !== 0) return undefined;
  } catch {
    return undefined;
  }
  return new Promise((resolve) =>
    helper.getPassword(
      { host: t.host, port: t.port, database: t.database, user: t.user },
      createReadStream(file),
      (pw) => resolve(pw ?? undefined),
    ),
  );
}

interface PgPassHelper {
  getFileName(env: NodeJS.ProcessEnv): string;
  getPassword(
    conn: { host: string; port: number; database: string; user: string },
    stream: NodeJS.ReadableStream,
    cb: (pw: string | undefined) => void,
  ): void;
}

/** Everything the pg client needs, from the URL and the injected environment only (never process.env). */
export function clientConfig(t: PgTarget, env: Env): ClientConfig {
  let ssl: ClientConfig['ssl'] = false;
  if (t.sslmode !== 'disable' && t.sslmode !== 'allow' && t.sslmode !== 'prefer') {
    const ca = t.sslrootcert ? readCa(t.sslrootcert) : undefined;
    ssl = {
      // require: encrypted, server not verified (libpq's meaning, unless a root certificate is given)
      rejectUnauthorized: t.sslmode !== 'require' || ca !== undefined,
      ...(ca ? { ca } : {}),
      ...(t.sslmode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
    };
  }
  const timeout = Number(env.PGCONNECT_TIMEOUT ?? 10);
  return {
    host: t.host,
    port: t.port,
    database: t.database,
    user: t.user,
    password: () => lookupPassword(t, env).then((p) => p ?? ''),
    ssl,
    application_name: 'mlctl',
    connectionTimeoutMillis: (Number.isFinite(timeout) && timeout > 0 ? timeout : 10) * 1000,
    keepAlive: true,
  };
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `sslrootcert ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}

/**
 * One line that says what went wrong and what to do, naming host and database but never a
 * password. Server errors carry SQLSTATE codes; network errors carry errno codes.
 */
export function connectionError(t: PgTarget, err: unknown): StorageError {
  const e = err as { code?: string; message?: string };
  const where = `PostgreSQL at ${t.host}:${t.port}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return new StorageError(`cannot reach ${where}: connection refused; is the server running and listening there?`, {
        cause: err,
      });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StorageError(`cannot reach ${where}: the host name does not resolve; check the registry URL`, {
        cause: err,
      });
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new StorageError(`cannot reach ${where}: ${e.code}; check the network and the registry URL`, {
        cause: err,
      });
    case '28P01':
    case '28000':
      return new StorageError(
        `${where} refused user ${t.user}: authentication failed; check PGPASSWORD or ~/.pgpass (and pg_hba.conf)`,
        { cause: err },
      );
    case '3D000':
      return new StorageError(
        `database ${t.database} does not exist on ${where}; create it (createdb ${t.database}) or fix the registry URL`,
        { cause: err },
      );
    case '53300':
      return new StorageError(`${where} has no free connections (too many clients); retry, or raise max_connections`, {
        cause: err,
      });
    case '57P03':
      return new StorageError(`${where} is starting up or shutting down; retry in a moment`, { cause: err });
  }
  const msg = (e.message ?? String(err)).replace(/postgres(ql)?:\/\/[^\s]*/gi, '<url>');
  if (/timeout/i.test(msg))
    return new StorageError(`cannot reach ${where}: timed out connecting; check the network and the registry URL`, {
      cause: err,
    });
  if (/ssl|certificate|self[- ]signed/i.test(msg))
    return new StorageError(`TLS to ${where} failed: ${msg}; check sslmode and sslrootcert`, { cause: err });
  if (/password/i.test(msg))
    return new StorageError(
      `${where} asks user ${t.user} for a password and none was found; set PGPASSWORD or add it to ~/.pgpass`,
      { cause: err },
    );
  return new StorageError(`${where}: ${msg}`, { cause: err });
}
