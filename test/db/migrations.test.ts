import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import {
  SCHEMA_PATH,
  SNAPSHOT_PATH,
  applyPendingMigrations,
  diffSchemas,
  isEmptyMigration,
  migrationStatus,
  readMigrations,
} from '../../src/db/migrate.js';
import { ensureDatabase, withPgClient } from '../../src/db/server.js';
import { withDatabase } from '../../src/config/database.js';
import { createEmptyDatabase } from '../helpers/db.js';
import { adminUrl } from '../helpers/db-names.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

async function emptyDb(label: string) {
  const d = await createEmptyDatabase(label);
  cleanups.push(d.drop);
  return d;
}

describe('migrations', () => {
  it('has migrations that produce exactly what schema.prisma describes', async () => {
    const schema = readFileSync(SCHEMA_PATH, 'utf8');
    const migrated = await emptyDb('drift_migrated');
    const direct = await emptyDb('drift_direct');
    // Every schema change has its migration: nothing lies between the newest migration's schema and this one.
    expect(isEmptyMigration(await diffSchemas(migrated.url, readFileSync(SNAPSHOT_PATH, 'utf8'), schema))).toBe(true);
    // And the migrations, replayed, build the same database as the schema applied in one go.
    await applyPendingMigrations(migrated.url);
    const fromSchema = await diffSchemas(direct.url, null, schema);
    await withPgClient(direct.url, (c) => c.query(fromSchema));
    const [a, b] = await Promise.all([withPgClient(migrated.url, catalog), withPgClient(direct.url, catalog)]);
    expect(a.length).toBeGreaterThan(100);
    expect(a).toEqual(b);
  });

  it('applies every migration to an empty database and records it as prisma migrate deploy does', async () => {
    const d = await emptyDb('apply');
    const applied = await applyPendingMigrations(d.url);
    expect(applied).toEqual(readMigrations().map((m) => m.name));
    const st = await migrationStatus(d.url);
    expect(st.pending).toEqual([]);
    expect(st.applied.every((m) => !m.modified)).toBe(true);
    const tables = await withPgClient(d.url, (c) =>
      c.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`),
    );
    expect(tables.rows.map((r) => r.t)).toEqual(
      expect.arrayContaining(['ParseJob', 'JobEvent', 'Playbook', 'Character', 'Act', 'Scene', 'Line', 'LineCharacter', 'ParsingSession', '_prisma_migrations']),
    );
    expect(await applyPendingMigrations(d.url)).toEqual([]);
  });

  it('migrates once when two processes start at the same moment', async () => {
    const d = await emptyDb('race');
    const results = await Promise.all([applyPendingMigrations(d.url), applyPendingMigrations(d.url), applyPendingMigrations(d.url)]);
    expect(results.flat()).toEqual(readMigrations().map((m) => m.name));
    const rows = await withPgClient(d.url, (c) => c.query(`SELECT count(*)::int AS n FROM _prisma_migrations`));
    expect(rows.rows[0].n).toBe(readMigrations().length);
  });

  it('reports pending migrations on a database that has none applied', async () => {
    const d = await emptyDb('pending');
    const st = await migrationStatus(d.url);
    expect(st.applied).toEqual([]);
    expect(st.pending).toEqual(readMigrations().map((m) => m.name));
  });

  it('creates a missing database', async () => {
    const name = `pbtest_created_${Date.now().toString(36)}`;
    const url = withDatabase(adminUrl(), name);
    cleanups.push(() => withPgClient(adminUrl(), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}));
    expect(await ensureDatabase(url)).toEqual({ created: true });
    expect(await ensureDatabase(url)).toEqual({ created: false });
  });

  it('says where it tried to connect, without the password, when the server is unreachable', async () => {
    await expect(ensureDatabase('postgresql://me:hunter2@127.0.0.1:1/x')).rejects.toThrow(
      /Cannot reach PostgreSQL at postgresql:\/\/me:\*\*\*@127\.0\.0\.1:1\/x \(ECONNREFUSED\)/,
    );
  });
});

/** Tables, columns, defaults, indexes, constraints and enums of the public schema, as comparable text. */
async function catalog(c: pg.Client): Promise<string[]> {
  const q = async (sql: string) => (await c.query<{ x: string }>(sql)).rows.map((r) => r.x);
  return [
    ...(await q(`SELECT concat_ws(' ', table_name, column_name, udt_name, is_nullable, column_default) AS x
                 FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1`)),
    ...(await q(`SELECT indexdef AS x FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`)),
    ...(await q(`SELECT concat_ws(' ', cl.relname, co.conname, pg_get_constraintdef(co.oid)) AS x
                 FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
                 WHERE n.nspname = 'public' AND cl.relname <> '_prisma_migrations' ORDER BY 1`)),
    ...(await q(`SELECT concat_ws(' ', t.typname, e.enumsortorder, e.enumlabel) AS x
                 FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid ORDER BY 1`)),
  ];
}
