import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { withDatabase } from '../../src/config/database.js';
import { withPgClient } from '../../src/db/server.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { emptyDatabases } from '../helpers/db.js';
import { adminUrl } from '../helpers/db-names.js';
import { makeAppDb, prismaMigrationRows, schemaObjects } from '../helpers/app-db.js';

// Commands as real processes against a database that is missing, not yet adopted, or being adopted.

const databases = emptyDatabases();
afterAll(() => databases.dropAll());
const emptyDb = (label: string) => databases.create(label);

const READ_ONLY = [['status'], ['show', 'abcd1234'], ['export', 'abcd1234'], ['plays'], ['db', 'status'], ['migrate-sessions', '--dry-run']];

async function databaseExists(name: string): Promise<boolean> {
  return withPgClient(adminUrl(), async (c) => ((await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0);
}

describe('read-only commands', () => {
  it.each(READ_ONLY.map((a) => [a.join(' '), a]))('%s on a database that does not exist says so in one sentence and creates nothing', async (_label, args) => {
    const name = `pbtest_missing_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const r = await runCli(args as string[], { databaseUrl: withDatabase(adminUrl(), name) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: Database "${name}" does not exist on [^\\n]*\\.\\nhint: Create it with \`createdb ${name}\``));
    expect(await databaseExists(name)).toBe(false);
  });

  it("on an app database not yet adopted say to run `playbuddy db migrate`, and change nothing", { timeout: 180_000 }, async () => {
    const d = await emptyDb('readonly_app');
    await makeAppDb(d.url);
    await withPgClient(d.url, (c) =>
      c.query(`INSERT INTO "ParsingSession" (id, "playbookId", filename, "rawText", status, "totalChunks")
               VALUES ('s1', 'pb1', 'a.txt', 'HAMLET. Hi.', 'parsing', 3), ('s2', 'pb2', 'b.txt', 'X', 'completed', 1),
                      ('s3', 'pb3', 'c.txt', '  ', 'failed', 1)`),
    );
    const before = await withPgClient(d.url, schemaObjects);
    const history = await prismaMigrationRows(d.url);
    for (const args of READ_ONLY.filter((a) => a[0] !== 'db' && a[0] !== 'migrate-sessions')) {
      const r = await runCli(args, { databaseUrl: d.url });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(/holds the theatre-play-buddy app's tables but not yet playbuddy's\.\nhint: run `playbuddy db migrate`/);
    }
    const st = await runCli(['db', 'status'], { databaseUrl: d.url });
    expect(st.code).toBe(0);
    const migrations = readdirSync(join(ROOT, 'prisma', 'migrations')).filter((name) => /^\d{14}_/.test(name)).length;
    expect(st.stdout).toMatch(new RegExp(`\\b${migrations} pending: run \`playbuddy db migrate\``));
    // A step that replaces an index playbuddy added says so under its name, before anything runs.
    expect(st.stdout).toMatch(
      /pending {2}\d{14}_partial_lease_indexes\n {4}replace index ParseJob_legacySessionId_key with a partial one\n {4}replace index ParseJob_status_lockExpiry_idx with a partial one, ParseJob_running_lockExpiry_idx\n/,
    );

    // The dry run still reports what it would migrate.
    const dry = await runCli(['migrate-sessions', '--dry-run', '--json'], { databaseUrl: d.url });
    expect(dry.code).toBe(0);
    const report = JSON.parse(dry.stdout);
    expect(report).toMatchObject({ dryRun: true, sessions: 3, migrated: 2, databaseAdopted: false });
    expect(report.unmigratable).toHaveLength(1);
    const text = await runCli(['migrate-sessions', '--dry-run'], { databaseUrl: d.url });
    expect(text.stdout).toMatch(/run `playbuddy db migrate`/);

    expect(await withPgClient(d.url, schemaObjects)).toEqual(before);
    expect(await prismaMigrationRows(d.url)).toEqual(history);
    expect((await withPgClient(d.url, (c) => c.query(`SELECT to_regclass('"_playbuddy_migrations"') AS t`))).rows[0].t).toBeNull();
  });
});

// The schema engine once left a 10 s timer behind that held every process which had run it. These are
// hang checks, not timings: a process must end by itself within 5 s of its last output (its result).
describe('every command exits once its work is done', () => {
  const HANG_MS = 5000;

  /** Runs `node args…`; kills it (and says so) when it stays silent HANG_MS after its last output without exiting. */
  function runUntilHung(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<{ code: number | null; hung: boolean; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
      let stdout = '';
      let stderr = '';
      let hung = false;
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          hung = true;
          child.kill('SIGKILL');
        }, HANG_MS);
      };
      child.stdout.on('data', (d) => {
        stdout += d;
        arm();
      });
      child.stderr.on('data', (d) => {
        stderr += d;
        arm();
      });
      // Before any output, allow for a slow start on a busy machine.
      timer = setTimeout(() => {
        hung = true;
        child.kill('SIGKILL');
      }, 120_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, hung, stdout, stderr });
      });
      child.stdin.end(input);
    });
  }

  const BIN = join(ROOT, 'bin', 'playbuddy.js');

  it('db migrate on a new database', async () => {
    const d = await emptyDb('exit_new');
    const r = await runUntilHung([BIN, 'db', 'migrate'], { DATABASE_URL: d.url });
    expect(r.hung, 'still running 5 s after it printed its result').toBe(false);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/applied/);
  });

  it('enqueue whose migration fails, with the failure as one sentence and a hint', async () => {
    const d = await emptyDb('exit_failed');
    await makeAppDb(d.url);
    await withPgClient(d.url, (c) => c.query(`CREATE TABLE "Worker" (id TEXT PRIMARY KEY); INSERT INTO "Worker" VALUES ('w')`));
    const r = await runUntilHung([BIN, 'enqueue', '-'], { DATABASE_URL: d.url }, 'HAMLET. Hi.\n');
    expect(r.hung, 'still running 5 s after it printed its error').toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: Database migration \S+ failed at "add column Worker\.host": column "host" of relation "Worker" contains null values\.\nhint: Nothing was changed/);
    expect(r.stderr, 'no stack trace').not.toMatch(/\n\s+at |\.rs:\d/);
  });

  it('a process that applied a migration through the schema engine itself', async () => {
    const d = await emptyDb('exit_engine');
    // What the engine did for every command before playbuddy applied its own steps; new-migration.mjs still runs it.
    const script = `const m = await import(${JSON.stringify(join(ROOT, 'dist', 'db', 'schema-engine.js'))});
      const { engine, close } = await m.openSchemaEngine(process.env.DATABASE_URL);
      try {
        const out = await engine.applyMigrations({
          migrationsList: { baseDir: '/nonexistent', lockfile: { path: 'migration_lock.toml', content: null }, shadowDbInitScript: '',
            migrationDirectories: [{ path: '0_probe', migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: 'CREATE TABLE probe (id int);' } } }] },
          filters: { externalTables: [], externalEnums: [] } });
        console.log(out.appliedMigrationNames.join());
      } finally { await close(); }`;
    const r = await runUntilHung(['--input-type=module', '-e', script], { DATABASE_URL: d.url });
    expect(r.hung, 'still running 5 s after the engine was done').toBe(false);
    expect(r.stdout.trim()).toBe('0_probe');
    expect(r.code).toBe(0);
  });
});
