import { randomBytes } from 'node:crypto';
import { createDb, type Db } from '../../src/db/client.js';
import { quoteIdent, withPgClient } from '../../src/db/server.js';
import { inject } from 'vitest';
import { adminUrl, serverUrl } from './db-names.js';

export interface TestDatabase {
  name: string;
  url: string;
  db: Db;
  /** Drops the database; call from afterAll. */
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file (copied from the run's template). */
export async function createTestDatabase(label = 'file'): Promise<TestDatabase> {
  const name = `pbtest_${label.replace(/\W+/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  await withPgClient(adminUrl(), (c) => c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(inject('templateDb'))}`));
  const url = serverUrl(name);
  const db = createDb(url, { max: 10 });
  return {
    name,
    url,
    db,
    async drop() {
      await db.$disconnect().catch(() => {});
      await withPgClient(adminUrl(), (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
  };
}

/** An empty database without migrations (for migration tests). */
export async function createEmptyDatabase(label = 'empty'): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `pbtest_${label.replace(/\W+/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  await withPgClient(adminUrl(), (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  return {
    name,
    url: serverUrl(name),
    drop: () => withPgClient(adminUrl(), (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)).then(() => {}),
  };
}
