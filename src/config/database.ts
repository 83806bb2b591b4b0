import { userInfo } from 'node:os';
import { UserError } from '../errors.js';

export const DEFAULT_DATABASE = 'playbuddy';

/**
 * The connection string: DATABASE_URL when set, else the libpq variables with the defaults of a stock local
 * install (localhost, 5432, the OS user, database `playbuddy`).
 */
export function resolveDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.DATABASE_URL?.trim();
  if (explicit) {
    let url: URL;
    try {
      url = new URL(explicit);
    } catch {
      throw new UserError(
        'DATABASE_URL is not a valid connection URL.',
        'Use the form postgresql://user:password@host:5432/database.',
      );
    }
    if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
      throw new UserError(
        `DATABASE_URL must start with postgresql://, not ${url.protocol}//.`,
        'Use the form postgresql://user:password@host:5432/database.',
      );
    }
    return explicit;
  }
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
