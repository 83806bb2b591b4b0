import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEDGER, MigrationError, applyPendingMigrations, migrationStatus, readMigrations } from '../../src/db/migrate.js';
import { quoteIdent, withPgClient } from '../../src/db/server.js';
import { withDatabase } from '../../src/config/database.js';
import { emptyDatabases } from '../helpers/db.js';
import { adminUrl } from '../helpers/db-names.js';
import { makeAppDb, makeReleaseDb, prismaMigrationRows, schemaObjects } from '../helpers/app-db.js';

// playbuddy on the theatre-play-buddy app's own database: adopted with additions only, the app's migration
// history untouched, and every starting point ending with the same objects.

const databases = emptyDatabases();
const roles: string[] = [];
afterAll(async () => {
  await databases.dropAll();
  // A role goes only after the databases whose objects it owns.
  for (const r of roles) await withPgClient(adminUrl(), (c) => c.query(`DROP ROLE IF EXISTS ${quoteIdent(r)}`));
});
const emptyDb = (label: string) => databases.create(label);

const names = () => readMigrations().map((m) => m.name);
const objects = (url: string) => withPgClient(url, schemaObjects);

let reference: string[];
beforeAll(async () => {
  const d = await emptyDb('adopt_reference');
  await applyPendingMigrations(d.url);
  reference = await objects(d.url);
});

describe('adopting an existing database', () => {
  it.each([
    ['the app with all six migrations', 6],
    ['the app from before its ParseJob migration', 5],
  ])('%s: additions only, app rows kept, migration history byte-identical, same objects as a new database', async (_label, n) => {
    const d = await emptyDb(`adopt_app${n}`);
    await makeAppDb(d.url, n);
    await withPgClient(d.url, async (c) => {
      await c.query(`INSERT INTO "Playbook" (id, title, author, "updatedAt") VALUES ('pb-1', 'Old Play', 'Someone', now())`);
      await c.query(`INSERT INTO "Character" (id, name, "playbookId", "updatedAt") VALUES ('ch-1', 'HAMLET', 'pb-1', now())`);
      if (n === 6) {
        await c.query(`INSERT INTO "ParseJob" (id, "rawText", filename, config, "updatedAt") VALUES ('app-job', 'TEXT', 'old.txt', '{"chunkSize": 5000}', now())`);
      }
    });
    const before = await objects(d.url);
    const history = await prismaMigrationRows(d.url);
    expect((await migrationStatus(d.url)).appDatabase).toBe(true);

    const run = await applyPendingMigrations(d.url);
    expect(run.applied).toEqual(names());
    expect(run.actions).toContain('add column Character.aliases');
    expect(run.actions).toContain('create table JobEvent');
    expect(run.actions.some((a) => a.startsWith('create table ParseJob'))).toBe(n === 5);

    const after = await objects(d.url);
    // Nothing of the app's went away or changed: every object it had is still there, word for word.
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after).toEqual(reference);
    expect(await prismaMigrationRows(d.url)).toEqual(history);

    await withPgClient(d.url, async (c) => {
      expect((await c.query(`SELECT title FROM "Playbook"`)).rows).toEqual([{ title: 'Old Play' }]);
      expect((await c.query(`SELECT name, aliases FROM "Character"`)).rows).toEqual([{ name: 'HAMLET', aliases: [] }]);
      if (n === 6) {
        // The app's queued job is kept, claimable: runnable now, in the claim index's range.
        const job = await c.query(`SELECT status, filename, config, "runAfter" <= now() AS runnable FROM "ParseJob" WHERE id = 'app-job'`);
        expect(job.rows).toEqual([{ status: 'queued', filename: 'old.txt', config: { chunkSize: 5000 }, runnable: true }]);
      }
    });
    expect(await applyPendingMigrations(d.url)).toEqual({ applied: [], carriedOver: [], actions: [] });
  });

  it('a database made by the previous playbuddy release carries over without running its migrations again', async () => {
    const d = await emptyDb('adopt_release');
    await makeReleaseDb(d.url);
    await withPgClient(d.url, (c) => c.query(`INSERT INTO "ParseJob" (id, "rawText", filename, "updatedAt") VALUES ('j1', 'T', 'a.txt', now())`));
    const history = await prismaMigrationRows(d.url);
    const status = await migrationStatus(d.url);
    expect(status.appDatabase).toBe(false);
    expect(status.applied.map((m) => [m.name, m.carriedOver])).toEqual(names().slice(0, 2).map((n) => [n, true]));

    const run = await applyPendingMigrations(d.url);
    expect(run.carriedOver).toEqual(names().slice(0, 2));
    expect(run.applied).toEqual(names().slice(2));
    expect(await objects(d.url)).toEqual(reference);
    expect(await prismaMigrationRows(d.url)).toEqual(history);
    const ledger = await withPgClient(d.url, (c) => c.query(`SELECT migration_name, carried_over FROM "${LEDGER}" ORDER BY 1`));
    expect(ledger.rows.map((r) => [r.migration_name, r.carried_over])).toEqual(names().map((n, i) => [n, i < 2]));
  });

  it("an app database the previous release migrated gets its lease and session indexes replaced by partial ones, rows kept", async () => {
    const d = await emptyDb('adopt_prev_release');
    await makeAppDb(d.url);
    await applyPendingMigrations(d.url);
    // As the previous release left it: the full indexes, and the partial step not yet in the ledger.
    const step = names().find((n) => n.endsWith('_partial_lease_indexes'))!;
    await withPgClient(d.url, async (c) => {
      await c.query(`DROP INDEX "ParseJob_running_lockExpiry_idx"`);
      await c.query(`DROP INDEX "ParseJob_legacySessionId_key"`);
      await c.query(`CREATE UNIQUE INDEX "ParseJob_legacySessionId_key" ON "ParseJob"("legacySessionId")`);
      await c.query(`CREATE INDEX "ParseJob_status_lockExpiry_idx" ON "ParseJob"("status", "lockExpiry")`);
      await c.query(`DELETE FROM "${LEDGER}" WHERE migration_name = $1`, [step]);
      await c.query(`INSERT INTO "ParseJob" (id, "rawText", filename, "updatedAt", "legacySessionId") VALUES ('j1', 'T', 'a.txt', now(), 's1'), ('j2', 'T', 'b.txt', now(), NULL)`);
    });
    expect((await migrationStatus(d.url)).pendingDrops).toEqual({
      [step]: [
        'replace index ParseJob_legacySessionId_key with a partial one',
        'replace index ParseJob_status_lockExpiry_idx with a partial one, ParseJob_running_lockExpiry_idx',
      ],
    });

    const run = await applyPendingMigrations(d.url);
    expect(run.applied).toEqual([step]);
    expect(run.actions).toEqual([
      'replace index ParseJob_legacySessionId_key on ParseJob with a partial one',
      'replace index ParseJob_status_lockExpiry_idx on ParseJob with a partial one, ParseJob_running_lockExpiry_idx',
      'create index ParseJob_running_lockExpiry_idx on ParseJob',
    ]);
    expect(await objects(d.url)).toEqual(reference);
    const partial = await withPgClient(d.url, (c) =>
      c.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'ParseJob' AND indexdef LIKE '%WHERE%' ORDER BY 1`),
    );
    expect(partial.rows.map((r) => r.indexname)).toEqual([
      'ParseJob_claim_idx',
      'ParseJob_finished_idx',
      'ParseJob_legacySessionId_key',
      'ParseJob_running_lockExpiry_idx',
    ]);
    const rows = await withPgClient(d.url, (c) => c.query(`SELECT id, "legacySessionId" FROM "ParseJob" ORDER BY id`));
    expect(rows.rows).toEqual([
      { id: 'j1', legacySessionId: 's1' },
      { id: 'j2', legacySessionId: null },
    ]);
    expect(await applyPendingMigrations(d.url)).toEqual({ applied: [], carriedOver: [], actions: [] });
  });

  it('repairs an app database an earlier playbuddy damaged: its failed row is marked rolled back, the app rows are untouched', async () => {
    const d = await emptyDb('adopt_damaged');
    await makeAppDb(d.url);
    const history = await prismaMigrationRows(d.url);
    // What the earlier release left: the first statements of its init migration, and a failed row.
    await withPgClient(d.url, (c) =>
      c.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count, logs)
               VALUES ('dead', '${readMigrations()[0]!.checksum}', '${names()[0]}', now(), 0, 'type "JobType" already exists')`),
    );
    await applyPendingMigrations(d.url);
    expect(await objects(d.url)).toEqual(reference);
    const rows = await withPgClient(d.url, (c) => c.query(`SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY 1`));
    // No failed row is left (a rolled-back one is what `prisma migrate resolve --rolled-back` leaves), so
    // the app's own `prisma migrate deploy` runs again.
    expect(rows.rows.filter((r) => r.finished_at === null && r.rolled_back_at === null)).toEqual([]);
    expect((await prismaMigrationRows(d.url)).filter((r) => !r.includes('dead'))).toEqual(history);
  });
});

describe('a migration that fails', () => {
  it('leaves the database as it was, names the step and PostgreSQL\'s message, and the next run succeeds', async () => {
    const d = await emptyDb('adopt_fails');
    await makeAppDb(d.url);
    // A table of the app's own called Worker, holding a row: adding playbuddy's NOT NULL columns to it fails
    // half-way through the first step, after ParseJob's columns and JobEvent were already added.
    await withPgClient(d.url, (c) => c.query(`CREATE TABLE "Worker" (id TEXT PRIMARY KEY); INSERT INTO "Worker" VALUES ('w')`));
    const before = await objects(d.url);
    const history = await prismaMigrationRows(d.url);

    const err = await applyPendingMigrations(d.url).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MigrationError);
    const m = err as MigrationError;
    expect(m.message).toMatch(new RegExp(`^Database migration ${names()[0]} failed at "add column Worker\\.host": column "host" of relation "Worker" contains null values\\.$`));
    expect(m.hint).toMatch(/^Nothing was changed/);
    expect(await objects(d.url)).toEqual(before);
    expect(await prismaMigrationRows(d.url)).toEqual(history);
    expect((await withPgClient(d.url, (c) => c.query(`SELECT to_regclass('"${LEDGER}"') AS t`))).rows[0].t).toBeNull();

    await withPgClient(d.url, (c) => c.query(`DELETE FROM "Worker"`));
    expect((await applyPendingMigrations(d.url)).applied).toEqual(names());
  });

  it('gives a role without CREATE on schema public the GRANT it needs', async () => {
    const d = await emptyDb('adopt_grant');
    const role = `pbtest_nocreate_${Date.now().toString(36)}`;
    await withPgClient(adminUrl(), (c) => c.query(`CREATE ROLE ${quoteIdent(role)} LOGIN`));
    roles.push(role);
    // PostgreSQL 15 and later grant CREATE on public to its owner only; make that so on older servers too.
    await withPgClient(d.url, (c) => c.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`));
    const url = new URL(withDatabase(adminUrl(), d.name));
    url.username = role;
    url.password = '';

    const err = (await applyPendingMigrations(url.toString()).catch((e: unknown) => e)) as MigrationError;
    expect(err).toBeInstanceOf(MigrationError);
    expect(err.message).toMatch(/permission denied for schema public/);
    expect(err.hint).toContain(`GRANT CREATE ON SCHEMA public TO ${role};`);
    expect(await objects(d.url)).toEqual([]);

    await withPgClient(d.url, (c) => c.query(`GRANT CREATE ON SCHEMA public TO ${quoteIdent(role)}`));
    expect((await applyPendingMigrations(url.toString())).applied).toEqual(names());
  });
});
