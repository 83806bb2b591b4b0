import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { UserError, errorMessage } from '../errors.js';
import { NotAdditiveError, describeDrops, missingActions, parseMigration, type Action } from './additive.js';
import { MIGRATIONS_DIR } from './paths.js';
import { pgCode, withPgClient } from './server.js';

// playbuddy's database is the theatre-play-buddy app's database. Two rules follow from that:
//
// 1. playbuddy keeps its own ledger, `_playbuddy_migrations`, and never writes to `_prisma_migrations`.
//    That table is the app's migration history: `prisma migrate deploy` refuses to run (P3009) while it
//    holds a failed row, and treats a row it does not know as drift. An earlier playbuddy recorded its
//    steps there through Prisma's schema engine; on an app database its first step failed and left such a
//    row, blocking both tools. The only write playbuddy ever makes to that table is undoing that damage: a
//    failed row of one of playbuddy's own migration names is marked rolled back (what `prisma migrate
//    resolve --rolled-back` does), in the same transaction that applies the step for real.
// 2. A migration adds what is missing and nothing else (src/db/additive.ts): the app may already have some
//    of the tables, columns, enums and indexes a step creates. Each step runs in one transaction under
//    a lock_timeout, so a failure leaves the database exactly as it was, and a busy app is never stalled
//    behind a queued ACCESS EXCLUSIVE lock.
//
// A database made by an earlier playbuddy has its steps in `_prisma_migrations`: they are carried over into
// the ledger without running again.

export { MIGRATIONS_DIR, SCHEMA_PATH, SNAPSHOT_PATH } from './paths.js';
export { diffSchemas, isEmptyMigration } from './schema-engine.js';

export const LEDGER = '_playbuddy_migrations';

// Any fixed number works as long as nothing else in the database uses it; it serialises concurrent
// migrators (two `playbuddy` processes starting at once against a fresh database).
const MIGRATION_LOCK_KEY = 0x706c6179; // "play"

const LOCK_TIMEOUT = '10s';

export interface MigrationFileInfo {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  applied: Array<{ name: string; appliedAt: Date | null; modified: boolean; carriedOver: boolean }>;
  pending: string[];
  /** Recorded in the ledger but absent from prisma/migrations (a newer playbuddy migrated this database). */
  unknown: string[];
  /** The database already holds the app's tables (its own `_prisma_migrations` rows): it is adopted, not created. */
  appDatabase: boolean;
  /** What each pending step drops (only what playbuddy added: an index it replaces, a constraint of its own tables), in words. */
  pendingDrops: Record<string, string[]>;
}

export interface MigrationRun {
  applied: string[];
  /** Steps an earlier playbuddy recorded in `_prisma_migrations`, now in the ledger without running again. */
  carriedOver: string[];
  /** What the applied steps changed, in order. */
  actions: string[];
}

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFileInfo[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

interface Recorded {
  name: string;
  checksum: string;
  appliedAt: Date | null;
  carriedOver: boolean;
}

interface DatabaseState {
  ledger: Recorded[];
  /** Finished rows of `_prisma_migrations` (the app's, and an earlier playbuddy's). */
  prismaFinished: Recorded[];
  appDatabase: boolean;
}

async function readState(c: Pick<pg.Client, 'query'>, ownNames: Set<string>): Promise<DatabaseState> {
  const present = await c.query<{ ledger: boolean; prisma: boolean }>(
    `SELECT to_regclass('"${LEDGER}"') IS NOT NULL AS ledger, to_regclass('"_prisma_migrations"') IS NOT NULL AS prisma`,
  );
  const { ledger, prisma } = present.rows[0]!;
  const state: DatabaseState = { ledger: [], prismaFinished: [], appDatabase: false };
  if (ledger) {
    const r = await c.query<{ name: string; checksum: string; applied_at: Date; carried_over: boolean }>(
      `SELECT migration_name AS name, checksum, applied_at, carried_over FROM "${LEDGER}" ORDER BY migration_name`,
    );
    state.ledger = r.rows.map((row) => ({ name: row.name, checksum: row.checksum, appliedAt: row.applied_at, carriedOver: row.carried_over }));
  }
  if (prisma) {
    const r = await c.query<{ name: string; checksum: string; finished_at: Date }>(
      `SELECT migration_name AS name, checksum, finished_at FROM "_prisma_migrations"
        WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY started_at`,
    );
    state.prismaFinished = r.rows.map((row) => ({ name: row.name, checksum: row.checksum, appliedAt: row.finished_at, carriedOver: true }));
    state.appDatabase = state.prismaFinished.some((row) => !ownNames.has(row.name));
  }
  return state;
}

function compare(files: MigrationFileInfo[], state: DatabaseState): MigrationStatus & { toCarry: Recorded[] } {
  const ledger = new Map(state.ledger.map((r) => [r.name, r]));
  const earlier = new Map(state.prismaFinished.map((r) => [r.name, r]));
  const fileNames = new Set(files.map((f) => f.name));
  const applied: MigrationStatus['applied'] = [];
  const toCarry: Recorded[] = [];
  const pending: string[] = [];
  for (const f of files) {
    const row = ledger.get(f.name) ?? earlier.get(f.name);
    if (!row) pending.push(f.name);
    else {
      applied.push({ name: f.name, appliedAt: row.appliedAt, modified: row.checksum !== f.checksum, carriedOver: row.carriedOver });
      if (!ledger.has(f.name)) toCarry.push(row);
    }
  }
  const pendingDrops: Record<string, string[]> = {};
  for (const f of files.filter((f) => pending.includes(f.name))) {
    const drops = describeDrops(parseMigration(f.sql));
    if (drops.length) pendingDrops[f.name] = drops;
  }
  return {
    applied,
    pending,
    unknown: state.ledger.filter((r) => !fileNames.has(r.name)).map((r) => r.name),
    appDatabase: state.appDatabase,
    pendingDrops,
    toCarry,
  };
}

/** Read-only: what is applied and what is pending. Changes nothing, not even the ledger. */
export async function migrationStatus(connectionString: string): Promise<MigrationStatus> {
  const files = readMigrations();
  const own = new Set(files.map((f) => f.name));
  return withPgClient(connectionString, async (c) => {
    const { toCarry: _, ...status } = compare(files, await readState(c, own));
    return status;
  });
}

/**
 * Applies pending steps, once, even when several processes call it at the same moment. The cheap check
 * comes first, so the common case (nothing pending) costs one catalog query and no lock.
 */
export async function applyPendingMigrations(connectionString: string): Promise<MigrationRun> {
  const files = readMigrations();
  const own = new Set(files.map((f) => f.name));
  const run: MigrationRun = { applied: [], carriedOver: [], actions: [] };
  return withPgClient(connectionString, async (c) => {
    const first = compare(files, await readState(c, own));
    if (first.pending.length === 0 && first.toCarry.length === 0) return run;
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      // Whoever held the lock before us may have done it all already.
      const now = compare(files, await readState(c, own));
      const carry = new Map(now.toCarry.map((r) => [r.name, r]));
      for (const f of files) {
        if (carry.has(f.name)) {
          await inTransaction(c, f.name, async () => {
            await ensureLedger(c);
            await record(c, f.name, carry.get(f.name)!.checksum, true);
          });
          run.carriedOver.push(f.name);
        } else if (now.pending.includes(f.name)) {
          run.actions.push(...(await applyStep(c, f)));
          run.applied.push(f.name);
        }
      }
      return run;
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}

async function applyStep(c: pg.Client, f: MigrationFileInfo): Promise<string[]> {
  let ops;
  try {
    ops = parseMigration(f.sql);
  } catch (err) {
    if (err instanceof NotAdditiveError) throw new MigrationError(f.name, null, err, 'This playbuddy release is broken: report it. Nothing was changed.');
    throw err;
  }
  const done: string[] = [];
  await inTransaction(c, f.name, async () => {
    await c.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    await ensureLedger(c);
    const actions = await missingActions(c, ops);
    for (const action of actions) {
      try {
        await c.query(action.sql);
      } catch (err) {
        throw new ActionFailed(action, err);
      }
      done.push(action.description);
    }
    await record(c, f.name, f.checksum, false);
    await c.query(
      `DO $$ BEGIN
         IF to_regclass('"_prisma_migrations"') IS NOT NULL THEN
           UPDATE "_prisma_migrations" SET rolled_back_at = now()
            WHERE migration_name = '${f.name.replace(/'/g, "''")}' AND finished_at IS NULL AND rolled_back_at IS NULL;
         END IF;
       END $$`,
    );
  });
  return done;
}

class ActionFailed extends Error {
  constructor(
    readonly action: Action,
    readonly error: unknown,
  ) {
    super(errorMessage(error));
  }
}

/** Runs `fn` in one transaction; on any failure rolls it all back and throws a MigrationError naming the step. */
async function inTransaction(c: pg.Client, step: string, fn: () => Promise<void>): Promise<void> {
  await c.query('BEGIN');
  try {
    await fn();
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    const action = err instanceof ActionFailed ? err.action : null;
    const cause = err instanceof ActionFailed ? err.error : err;
    throw new MigrationError(step, action, cause, await hintFor(c, cause));
  }
}

function ensureLedger(c: pg.Client) {
  return c.query(`CREATE TABLE IF NOT EXISTS "${LEDGER}" (
    migration_name TEXT PRIMARY KEY,
    checksum       TEXT NOT NULL,
    applied_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    carried_over   BOOLEAN NOT NULL DEFAULT false
  )`);
}

function record(c: pg.Client, name: string, checksum: string, carriedOver: boolean) {
  return c.query(`INSERT INTO "${LEDGER}" (migration_name, checksum, carried_over) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
    name,
    checksum,
    carriedOver,
  ]);
}

/** A step that failed and was rolled back: which step, what it was doing, PostgreSQL's own words, and a hint. */
export class MigrationError extends UserError {
  constructor(
    readonly step: string,
    readonly action: Action | null,
    cause: unknown,
    hint: string,
  ) {
    super(
      `Database migration ${step} failed${action ? ` at "${action.description}"` : ''}: ${firstLine(errorMessage(cause))}.`,
      hint,
      { cause },
    );
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/\.$/, '');
}

const UNCHANGED = 'Nothing was changed: the database is as it was.';

async function hintFor(c: pg.Client, err: unknown): Promise<string> {
  const code = pgCode(err);
  const message = errorMessage(err);
  if (err instanceof NotAdditiveError) return `${UNCHANGED} This playbuddy release is broken: report it.`;
  if (code === '42501') {
    const who = await c
      .query<{ role: string; schema: string; db: string }>(`SELECT current_user AS role, current_schema() AS schema, current_database() AS db`)
      .then((r) => r.rows[0])
      .catch(() => undefined);
    const role = quoteIdentLoose(who?.role ?? 'your_role');
    if (/permission denied for schema/.test(message)) {
      return `${UNCHANGED} As the owner of the schema (or a superuser) run: GRANT CREATE ON SCHEMA ${quoteIdentLoose(who?.schema ?? 'public')} TO ${role}; then run \`playbuddy db migrate\` again.`;
    }
    if (/permission denied for database/.test(message)) {
      return `${UNCHANGED} As the owner of the database (or a superuser) run: GRANT CREATE ON DATABASE ${quoteIdentLoose(who?.db ?? 'the_database')} TO ${role}; then run \`playbuddy db migrate\` again.`;
    }
    if (/must be owner/.test(message)) {
      return `${UNCHANGED} Adding to the app's tables needs their owner: run \`playbuddy db migrate\` once with the role that runs the app's migrations (DATABASE_URL=… playbuddy db migrate); other roles can then use playbuddy.`;
    }
    return `${UNCHANGED} The role ${role} lacks a privilege the migration needs; run \`playbuddy db migrate\` once as the owner of the database.`;
  }
  if (code === '55P03') {
    return `${UNCHANGED} Another session holds a lock on the table (the app may be in a long transaction); run \`playbuddy db migrate\` again when it is quiet.`;
  }
  return `${UNCHANGED} Fix the cause and run \`playbuddy db migrate\` again.`;
}

function quoteIdentLoose(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : '"' + name.replace(/"/g, '""') + '"';
}
