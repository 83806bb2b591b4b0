import { userInfo } from 'node:os';
import { UserError } from '../errors.js';

export const DEFAULT_DATABASE = 'playbuddy';

/**
 * The connection string: DATABASE_URL when set, else the libpq variables with the defaults of a stock local
 * install (localhost, 5432, the OS user, database `playbuddy`).
 */
export function resolveDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.DATABASE_URL?.trim();
  if (explicit) return withoutPoolerFlag(explicit, checkedUrl('DATABASE_URL', explicit));
  const port = env.PGPORT?.trim() || '5432';
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    throw new UserError(`PGPORT must be a port number, not "${port}".`, 'Unset it to use 5432.');
  }
  const url = new URL('postgresql://localhost');
  url.hostname = env.PGHOST?.trim() || 'localhost';
  url.port = port;
  url.username = encodeURIComponent(env.PGUSER?.trim() || osUser());
  if (env.PGPASSWORD) url.password = encodeURIComponent(env.PGPASSWORD);
  url.pathname = '/' + encodeURIComponent(env.PGDATABASE?.trim() || DEFAULT_DATABASE);
  return url.toString();
}

function checkedUrl(setting: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`${setting} is not a valid connection URL.`, 'Use the form postgresql://user:password@host:5432/database.');
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new UserError(
      `${setting} must start with postgresql://, not ${url.protocol}//.`,
      'Use the form postgresql://user:password@host:5432/database.',
    );
  }
  return url;
}

const POOLER_FLAG = 'pgbouncer';

// `?pgbouncer=true` is how Prisma users already mark a URL that leads to PgBouncer; it is ours to read, not
// the server's, so it never reaches pg. A URL without it is kept exactly as written.
function withoutPoolerFlag(value: string, url: URL): string {
  if (!url.searchParams.has(POOLER_FLAG)) return value;
  url.searchParams.delete(POOLER_FLAG);
  return url.toString();
}

/**
 * Where playbuddy connects. `url` carries everything that works through a transaction pooler (one
 * transaction at a time, no session state); `direct`, when known, reaches PostgreSQL itself and carries what
 * needs a session of its own: LISTEN and the migration lock.
 */
export interface DatabaseTarget {
  url: string;
  /** Straight to PostgreSQL; undefined when `url` leads to a pooler and no direct URL was given. */
  direct: string | undefined;
  /** `url` leads to a transaction pooler: statements go unnamed, session settings are SET LOCAL. */
  pooled: boolean;
}

/**
 * DATABASE_URL (or the PG* variables) and PLAYBUDDY_DIRECT_DATABASE_URL. A direct URL different from
 * DATABASE_URL means DATABASE_URL leads to a pooler; so does `?pgbouncer=true` on DATABASE_URL.
 */
export function resolveDatabaseTarget(env: NodeJS.ProcessEnv = process.env): DatabaseTarget {
  const url = resolveDatabaseUrl(env);
  const flagged = isPoolerFlagged(env.DATABASE_URL);
  const directSetting = env.PLAYBUDDY_DIRECT_DATABASE_URL?.trim();
  const direct = directSetting
    ? withoutPoolerFlag(directSetting, checkedUrl('PLAYBUDDY_DIRECT_DATABASE_URL', directSetting))
    : undefined;
  if (direct && direct !== url) return { url, direct, pooled: true };
  return { url, direct: flagged ? undefined : url, pooled: flagged };
}

function isPoolerFlagged(value: string | undefined): boolean {
  if (!value?.trim()) return false;
  try {
    return new URL(value.trim()).searchParams.get(POOLER_FLAG) === 'true';
  } catch {
    return false;
  }
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'postgres';
  }
}

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

export function databaseName(connectionString: string): string {
  return decodeURIComponent(new URL(connectionString).pathname.replace(/^\//, '')) || DEFAULT_DATABASE;
}

/** The same server, another database (for creating the one we need from the maintenance database). */
export function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = '/' + encodeURIComponent(database);
  return url.toString();
}
