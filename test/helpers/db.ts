import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { createDb, type Db } from '../../src/db/client.js';
import { createPool } from '../../src/db/pool.js';
import { quoteIdent, withPgClient } from '../../src/db/server.js';
import { afterAll, beforeAll, inject } from 'vitest';
import { adminUrl, serverUrl } from './db-names.js';

export interface TestDatabase {
  name: string;
  url: string;
  /** Prisma, for what tests still read through it. */
  db: Db;
  /** pg, for the queue and the store of plays (both speak pg only). */
  sql: pg.Pool;
  /** Drops the database; call from afterAll. */
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file (copied from the run's template). */
export async function createTestDatabase(label = 'file'): Promise<TestDatabase> {
  const name = `pbtest_${label.replace(/\W+/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  await withPgClient(adminUrl(), (c) => c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(inject('templateDb'))}`));
  const url = serverUrl(name);
  const db = createDb(url, { max: 10 });
  const sql = createPool(url, { max: 10, applicationName: 'playbuddy-test' });
  // Tests that cut connections (a server restart, a terminated backend) cut idle ones of this pool too; the
  // pool replaces them on next use, so the error is not the test's failure.
  sql.on('error', () => {});
  return {
    name,
    url,
    db,
    sql,
    async drop() {
      await db.$disconnect().catch(() => {});
      await sql.end().catch(() => {});
      await withPgClient(adminUrl(), (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
  };
}

/**
 * The test file's own database: created (from the run's migrated template) before its tests and dropped after
 * them. Call it once at the top of a test file; the properties can be read inside hooks and tests.
 */
export function testDatabase(label: string): TestDatabase {
  let created: TestDatabase | undefined;
  beforeAll(async () => {
    created = await createTestDatabase(label);
  });
  afterAll(async () => {
    await created?.drop();
  });
  const current = (): TestDatabase => {
    if (!created) throw new Error('the test database exists only while the tests of its file run (from beforeAll on)');
    return created;
  };
  return {
    get name() {
      return current().name;
    },
    get url() {
      return current().url;
    },
    get db() {
      return current().db;
    },
    get sql() {
      return current().sql;
    },
    drop: () => current().drop(),
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

/** Empty databases for one test file: `create` makes one, `dropAll` (from afterAll) drops every one made. */
export function emptyDatabases() {
  const made: Array<() => Promise<void>> = [];
  return {
    async create(label: string) {
      const d = await createEmptyDatabase(label);
      made.push(d.drop);
      return d;
    },
    async dropAll() {
      for (const drop of made.splice(0)) await drop();
    },
  };
}
