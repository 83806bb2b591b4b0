import pg from 'pg';
import { databaseName, redactUrl, withDatabase } from '../config/database.js';
import { UserError, errorMessage } from '../errors.js';
import { ignoreErrorEvents, lostConnection } from './errors.js';

// Plain `pg` for the first contact with the server: it is much lighter than Prisma, and its error codes
// tell apart "server down", "bad password" and "no such database", each of which has its own hint.

const CONNECT_TIMEOUT_MS = 5000;

export async function withPgClient<T>(connectionString: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  ignoreErrorEvents(client);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Connects once; creates the database when it is missing and the server allows it. */
export async function ensureDatabase(connectionString: string): Promise<{ created: boolean }> {
  try {
    await withPgClient(connectionString, async () => {});
    return { created: false };
  } catch (err) {
    if (pgCode(err) !== '3D000') throw connectionError(connectionString, err);
  }
  const name = databaseName(connectionString);
  try {
    await withPgClient(withDatabase(connectionString, 'postgres'), (c) =>
      c.query(`CREATE DATABASE ${quoteIdent(name)}`),
    );
    return { created: true };
  } catch (err) {
    // Another process created it between our two connections.
    if (pgCode(err) === '42P04') return { created: false };
    throw new UserError(
      `Database "${name}" does not exist on ${redactUrl(withDatabase(connectionString, ''))} and could not be created (${errorMessage(err)}).`,
      `Create it with: createdb ${name}   (or point DATABASE_URL at an existing database)`,
    );
  }
}

export function connectionError(connectionString: string, err: unknown): UserError {
  const where = redactUrl(connectionString);
  const code = pgCode(err) ?? (err as { code?: string })?.code;
  const lost = code === 'ECONNREFUSED' ? undefined : lostConnection(err);
  if (lost) return lostConnectionError(where, lost, err);
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
      return new UserError(
        `Cannot reach PostgreSQL at ${where} (${code}).`,
        'Start PostgreSQL, or set DATABASE_URL (or PGHOST/PGPORT) to where it runs.',
        { cause: err },
      );
    case '28P01':
    case '28000':
      return new UserError(
        `PostgreSQL at ${where} refused the login (${errorMessage(err)}).`,
        'Check the user and password in DATABASE_URL or PGUSER/PGPASSWORD.',
        { cause: err },
      );
    default:
      return new UserError(`Cannot connect to PostgreSQL at ${where}: ${errorMessage(err)}.`, 'Check DATABASE_URL.', {
        cause: err,
      });
  }
}

/** A connection that was up and went away: what the command was doing then was rolled back by the server. */
function lostConnectionError(where: string, how: string, err: unknown): UserError {
  const said = errorMessage(err).replace(/\s+/g, ' ').trim();
  return new UserError(
    `Lost the connection to PostgreSQL at ${where} (${how})${said ? `: ${said.replace(/\.$/, '')}` : ''}.`,
    'What the command was doing when the connection dropped was rolled back (nothing half-written); check that the server is up and reachable, then run the command again.',
    { cause: err },
  );
}

export function pgCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}
