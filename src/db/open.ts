import { createDb, type Db, type DbOptions } from './client.js';
import { applyPendingMigrations } from './migrate.js';
import { connectionError, ensureDatabase } from './server.js';
import { UserError } from '../errors.js';

export interface OpenOptions extends DbOptions {
  /** Apply pending migrations first (every command that touches the queue does). */
  migrate?: boolean;
}

/** The one way commands get a database: reachable, created if missing, migrated, then a Prisma client. */
export async function openDatabase(connectionString: string, options: OpenOptions = {}): Promise<Db> {
  await ensureDatabase(connectionString);
  if (options.migrate !== false) {
    try {
      await applyPendingMigrations(connectionString);
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw connectionError(connectionString, err);
    }
  }
  return createDb(connectionString, options);
}
