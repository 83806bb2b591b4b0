import { UserError } from '../errors.js';
import { applyPendingMigrations } from '../db/migrate.js';
import { connectionError, ensureDatabase } from '../db/server.js';

/** What openDatabase does before creating a client: the database exists and is migrated. */
export async function prepareDatabase(connectionString: string): Promise<void> {
  await ensureDatabase(connectionString);
  try {
    await applyPendingMigrations(connectionString);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw connectionError(connectionString, err);
  }
}
