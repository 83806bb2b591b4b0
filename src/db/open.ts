import { databaseName, redactUrl, type DatabaseTarget } from '../config/database.js';
import { UserError } from '../errors.js';
import { createDb, type Db, type DbOptions } from './client.js';
import { applyPendingMigrations, migrationStatus, type MigrationRun, type MigrationStatus } from './migrate.js';
import { connectionError, ensureDatabase, pgCode } from './server.js';

// Commands that write (enqueue, work, migrate-sessions, db migrate) bring the database to playbuddy's schema
// first. Every other command only reads what is there: it never creates a database or a table, and says
// what to run when the database is missing or not yet adopted.

/** For commands that write: the database exists (created if the server allows) and is migrated. */
export async function prepareDatabase(connectionString: string): Promise<MigrationRun> {
  await ensureDatabase(connectionString);
  try {
    return await applyPendingMigrations(connectionString);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw connectionError(connectionString, err);
  }
}

/**
 * For commands that write, from where they connect. Migrations hold a session lock on a connection of their
 * own, which a transaction pooler cannot give them: they run over the direct URL. Behind a pooler without one,
 * a database that is up to date is fine, and one that needs migrating is refused with what to set.
 */
export async function prepareTarget(target: DatabaseTarget): Promise<MigrationRun> {
  if (target.direct) return prepareDatabase(target.direct);
  const status = await readMigrationStatus(target.url);
  if (status.pending.length === 0) return { applied: [], carriedOver: [], actions: [] };
  throw new UserError(
    `Database "${databaseName(target.url)}" needs playbuddy's migrations, and DATABASE_URL leads to a connection pooler, which cannot hold their lock.`,
    'Set PLAYBUDDY_DIRECT_DATABASE_URL to PostgreSQL itself (not the pooler) and run the command again.',
  );
}

/** For commands that only read or control jobs: the database exists and has playbuddy's schema, or a sentence says what to run. */
export async function requireMigratedDatabase(connectionString: string): Promise<MigrationStatus> {
  const status = await readMigrationStatus(connectionString);
  if (status.pending.length > 0) throw schemaBehind(connectionString, status);
  return status;
}

/** The migration status, with a missing database or an unreachable server as one sentence each. */
export async function readMigrationStatus(connectionString: string): Promise<MigrationStatus> {
  try {
    return await migrationStatus(connectionString);
  } catch (err) {
    if (pgCode(err) === '3D000') throw databaseMissing(connectionString);
    if (err instanceof UserError) throw err;
    throw connectionError(connectionString, err);
  }
}

export function databaseMissing(connectionString: string): UserError {
  const name = databaseName(connectionString);
  return new UserError(
    `Database "${name}" does not exist on ${redactUrl(connectionString).replace(/\/[^/?]*(\?.*)?$/, '')}.`,
    `Create it with \`createdb ${name}\` and run \`playbuddy db migrate\`, or point DATABASE_URL at the app's database.`,
  );
}

export function schemaBehind(connectionString: string, status: MigrationStatus): UserError {
  const what = status.applied.length === 0
    ? status.appDatabase
      ? "holds the theatre-play-buddy app's tables but not yet playbuddy's"
      : "does not have playbuddy's tables yet"
    : `is behind this playbuddy (${status.pending.length} migration${status.pending.length === 1 ? '' : 's'} pending)`;
  return new UserError(
    `Database "${databaseName(connectionString)}" ${what}.`,
    'run `playbuddy db migrate` (it only adds what is missing; the app keeps working).',
  );
}

/** The database prepared for writing, then a Prisma client on it. */
export async function openDatabase(connectionString: string, options: DbOptions = {}): Promise<Db> {
  await prepareDatabase(connectionString);
  return createDb(connectionString, options);
}
