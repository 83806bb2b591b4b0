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
import { NotAdditiveError, missingActions, parseMigration } from '../../src/db/additive.js';
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

  it('reads a drop of an index playbuddy added to a queue table, to replace it', () => {
    expect(parseMigration('DROP INDEX "ParseJob_status_lockExpiry_idx";')).toEqual([{ kind: 'dropIndex', name: 'ParseJob_status_lockExpiry_idx' }]);
  });

  it.each([
    ["to drop an index of the app's ParseJob (the seed's)", 'DROP INDEX "ParseJob_workerId_idx";'],
    ["to drop the app's ParseJob index claiming used to walk", 'DROP INDEX "ParseJob_status_priority_createdAt_idx";'],
    ['to drop the design\'s JobEvent index', 'DROP INDEX "JobEvent_jobId_createdAt_idx";'],
    ['to drop a primary key', 'DROP INDEX "ParseJob_pkey";'],
    ["to drop an index on an app table", 'DROP INDEX "Playbook_title_idx";'],
    ["to drop an index on the legacy sessions", 'DROP INDEX "ParsingSession_status_idx";'],
    ['to drop a queue table', 'DROP TABLE "ParseJob";'],
    ['to drop a column of a queue table', 'ALTER TABLE "ParseJob" DROP COLUMN "lockExpiry";'],
    ["to drop a constraint of the app's ParseJob", 'ALTER TABLE "ParseJob" DROP CONSTRAINT "ParseJob_playbookId_fkey";'],
    ['to drop a constraint of an app table', 'ALTER TABLE "Line" DROP CONSTRAINT "Line_sceneId_fkey";'],
    ["to drop a playbuddy table's primary key", 'ALTER TABLE "JobEvent" DROP CONSTRAINT "JobEvent_pkey";'],
    ["to create a function outside playbuddy's namespace", 'CREATE OR REPLACE FUNCTION "touch"() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN NULL;\nEND\n$$;'],
    ['to create a trigger on an app table', 'CREATE TRIGGER "Line_t" AFTER DELETE ON "Line" FOR EACH STATEMENT EXECUTE FUNCTION "playbuddy_f"();'],
  ])('still refuses %s', (_what, sql) => {
    expect(() => parseMigration(sql)).toThrow(NotAdditiveError);
  });

  it('drops an index only when the live database has it on a queue table: absent is nothing to do, on an app table refused', async () => {
    const d = await emptyDb('drop_owned');
    await applyPendingMigrations(d.url);
    const ops = parseMigration('DROP INDEX "ParseJob_extra_idx";\n\nCREATE INDEX "ParseJob_extra_idx" ON "ParseJob"("filename") WHERE (status = \'queued\');');
    await withPgClient(d.url, async (c) => {
      // Absent (a database migrated before): only the create is left to do.
      expect((await missingActions(c, ops)).map((a) => a.description)).toEqual(['create index ParseJob_extra_idx on ParseJob']);
      // Present on ParseJob: dropped and created again in one action, the drop first.
      await c.query(`CREATE INDEX "ParseJob_extra_idx" ON "ParseJob"("filename")`);
      const actions = await missingActions(c, ops);
      expect(actions.map((a) => a.description)).toEqual(['replace index ParseJob_extra_idx on ParseJob with a partial one']);
      await c.query(actions[0]!.sql);
      const def = await c.query(`SELECT pg_get_indexdef('"ParseJob_extra_idx"'::regclass) AS def`);
      expect(def.rows[0].def).toMatch(/WHERE \(status = 'queued'::"JobStatus"\)$/);
      // The same name on a table of the app's is the app's: refused before anything runs.
      await c.query(`DROP INDEX "ParseJob_extra_idx"`);
      await c.query(`CREATE INDEX "ParseJob_extra_idx" ON "Playbook"("title")`);
      await expect(missingActions(c, ops)).rejects.toThrow(NotAdditiveError);
    });
  });

  it("reads a drop of a constraint on a table only playbuddy made, and playbuddy's trigger functions and queue triggers", () => {
    expect(parseMigration('ALTER TABLE "JobEvent" DROP CONSTRAINT "JobEvent_jobId_fkey";')).toEqual([
      { kind: 'dropConstraint', table: 'JobEvent', name: 'JobEvent_jobId_fkey' },
    ]);
    const body = 'CREATE OR REPLACE FUNCTION "playbuddy_f"() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  DELETE FROM "JobEvent";\n  RETURN NULL;\nEND\n$$;';
    expect(parseMigration(`${body}\n\nCREATE TRIGGER "ParseJob_t" AFTER DELETE ON "ParseJob" FOR EACH STATEMENT EXECUTE FUNCTION "playbuddy_f"();`).map((o) => o.kind)).toEqual([
      'function',
      'trigger',
    ]);
  });

  it("deletes a job's events with the job, whoever deletes it, with no foreign key to check on every event written", async () => {
    const d = await emptyDb('events_trigger');
    await applyPendingMigrations(d.url);
    await withPgClient(d.url, async (c) => {
      const fks = await c.query(`SELECT conname FROM pg_constraint WHERE conrelid = '"JobEvent"'::regclass AND contype = 'f'`);
      expect(fks.rows).toEqual([]);
      for (const id of ['a', 'b']) {
        await c.query(`INSERT INTO "ParseJob" (id, "rawText", filename, config, "updatedAt") VALUES ($1, 'x', 'x.txt', '{}', now())`, [id]);
        await c.query(`INSERT INTO "JobEvent" (id, "jobId", event) VALUES ($1 || '1', $1, 'enqueued'), ($1 || '2', $1, 'claimed')`, [id]);
      }
      await c.query(`DELETE FROM "ParseJob" WHERE id = 'a'`);
      const left = await c.query(`SELECT "jobId", count(*)::int AS n FROM "JobEvent" GROUP BY 1`);
      expect(left.rows).toEqual([{ jobId: 'b', n: 2 }]);
    });
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
