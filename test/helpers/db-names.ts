import { resolveDatabaseUrl, withDatabase } from '../../src/config/database.js';

// Tests run against the server the user's settings point at (DATABASE_URL or PG* variables), in databases
// of their own; they never touch the user's `playbuddy` database.
const base = process.env.PLAYBUDDY_TEST_DATABASE_URL ?? resolveDatabaseUrl({ ...process.env, DATABASE_URL: undefined, PGDATABASE: 'postgres' });

export function serverUrl(database: string): string {
  return withDatabase(base, database);
}

export function adminUrl(): string {
  return withDatabase(base, 'postgres');
}
