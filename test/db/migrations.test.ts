import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  LEDGER,
  SCHEMA_PATH,
  SNAPSHOT_PATH,
  applyPendingMigrations,
  diffSchemas,
  isEmptyMigration,
  migrationStatus,
  readMigrations,
} from '../../src/db/migrate.js';
import { NotAdditiveError, parseMigration } from '../../src/db/additive.js';
import { ensureDatabase, withPgClient } from '../../src/db/server.js';
import { withDatabase } from '../../src/config/database.js';
import { emptyDatabases } from '../helpers/db.js';
import { adminUrl } from '../helpers/db-names.js';
import { schemaObjects } from '../helpers/app-db.js';

const databases = emptyDatabases();
afterAll(() => databases.dropAll());
const emptyDb = (label: string) => databases.create(label);

const names = () => readMigrations().map((m) => m.name);

describe('migrations', () => {
  it('has migrations that produce exactly what schema.prisma describes', async () => {
    const schema = readFileSync(SCHEMA_PATH, 'utf8');
    const migrated = await emptyDb('drift_migrated');
    const direct = await emptyDb('drift_direct');
    // Every schema change has its migration: nothing lies between the newest migration's schema and this one.
    expect(isEmptyMigration(await diffSchemas(migrated.url, readFileSync(SNAPSHOT_PATH, 'utf8'), schema))).toBe(true);
    // And the migrations, applied step by step, build the same database as the schema applied in one go.
    await applyPendingMigrations(migrated.url);
    const fromSchema = await diffSchemas(direct.url, null, schema);
    await withPgClient(direct.url, (c) => c.query(fromSchema));
    const [a, b] = await Promise.all([withPgClient(migrated.url, schemaObjects), withPgClient(direct.url, schemaObjects)]);
    expect(a.length).toBeGreaterThan(100);
    expect(a).toEqual(b);
  });

  it('only ever adds: every migration reads as additions, and anything else is refused before it runs', () => {
    for (const m of readMigrations()) expect(() => parseMigration(m.sql), m.name).not.toThrow();
    for (const sql of [
      'ALTER TABLE "Line" DROP COLUMN "rehearsalCount";',
      'DROP TABLE "PlayTemp";',
      'ALTER TABLE "Act" ALTER COLUMN "llmSourceId" SET DATA TYPE TEXT;',
      'DROP INDEX "Playbook_title_idx";',
    ]) {
      expect(() => parseMigration(sql), sql).toThrow(NotAdditiveError);
    }
  });

  it("applies every migration to an empty database and records it in playbuddy's own ledger", async () => {
    const d = await emptyDb('apply');
    const run = await applyPendingMigrations(d.url);
    expect(run.applied).toEqual(names());
    expect(run.carriedOver).toEqual([]);
    const st = await migrationStatus(d.url);
    expect(st.pending).toEqual([]);
    expect(st.appDatabase).toBe(false);
    expect(st.applied.filter((m) => m.modified || m.carriedOver)).toEqual([]);
    const tables = await withPgClient(d.url, (c) =>
      c.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`),
    );
    const t = tables.rows.map((r) => r.t);
    expect(t).toEqual(expect.arrayContaining(['ParseJob', 'JobEvent', 'Worker', 'Playbook', 'Line', 'ParsingSession', 'UserLineProgress', LEDGER]));
    // `_prisma_migrations` is the app's history: playbuddy neither creates nor writes it.
    expect(t).not.toContain('_prisma_migrations');
    expect(await applyPendingMigrations(d.url)).toEqual({ applied: [], carriedOver: [], actions: [] });
  });

  it('migrates once when two processes start at the same moment', async () => {
    const d = await emptyDb('race');
    const results = await Promise.all([applyPendingMigrations(d.url), applyPendingMigrations(d.url), applyPendingMigrations(d.url)]);
    expect(results.flatMap((r) => r.applied)).toEqual(names());
    const rows = await withPgClient(d.url, (c) => c.query(`SELECT count(*)::int AS n FROM "${LEDGER}"`));
    expect(rows.rows[0].n).toBe(readMigrations().length);
  });

  it('reports pending migrations on a database that has none applied, and creates nothing to tell', async () => {
    const d = await emptyDb('pending');
    const st = await migrationStatus(d.url);
    expect(st.applied).toEqual([]);
    expect(st.pending).toEqual(names());
    expect(await withPgClient(d.url, schemaObjects)).toEqual([]);
  });

  it('creates a missing database', async () => {
    const name = `pbtest_created_${Date.now().toString(36)}`;
    const url = withDatabase(adminUrl(), name);
    onTestFinished(() => withPgClient(adminUrl(), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}));
    expect(await ensureDatabase(url)).toEqual({ created: true });
    expect(await ensureDatabase(url)).toEqual({ created: false });
  });

  it('says where it tried to connect, without the password, when the server is unreachable', async () => {
    await expect(ensureDatabase('postgresql://me:hunter2@127.0.0.1:1/x')).rejects.toThrow(
      /Cannot reach PostgreSQL at postgresql:\/\/me:\*\*\*@127\.0\.0\.1:1\/x \(ECONNREFUSED\)/,
    );
  });
});
