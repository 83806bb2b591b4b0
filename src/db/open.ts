import { createDb, type Db, type DbOptions } from './client.js';
import { applyPendingMigrations } from './migrate.js';
import { connectionError, ensureDatabase } from './server.js';
import { UserError } from '../errors.js';

/** What every command that touches the queue does first: the database exists (created if the server allows) and is migrated. */
export async function prepareDatabase(connectionString: string): Promise<void> {
  await ensureDatabase(connectionString);
  try {
    await applyPendingMigrations(connectionString);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw connectionError(connectionString, err);
  }
}

/** The database prepared, then a Prisma client on it. */
export async function openDatabase(connectionString: string, options: DbOptions = {}): Promise<Db> {
  await prepareDatabase(connectionString);
  return createDb(connectionString, options);
}
