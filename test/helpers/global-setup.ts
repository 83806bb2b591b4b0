import { applyPendingMigrations } from '../../src/db/migrate.js';
import { quoteIdent, withPgClient } from '../../src/db/server.js';
import { TEMPLATE_DB, adminUrl, serverUrl } from './db-names.js';

// One migrated template per test run; every test file then copies it (CREATE DATABASE … TEMPLATE), which
// takes milliseconds instead of replaying the migrations per file.
export default async function setup(): Promise<() => Promise<void>> {
  await withPgClient(adminUrl(), async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(TEMPLATE_DB)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${quoteIdent(TEMPLATE_DB)}`);
  });
  await applyPendingMigrations(serverUrl(TEMPLATE_DB));
  return async () => {
    await withPgClient(adminUrl(), (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(TEMPLATE_DB)} WITH (FORCE)`));
  };
}
