import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { readMigrations } from '../../src/db/migrate.js';
import { withPgClient } from '../../src/db/server.js';
import { ROOT } from './cli.js';

// The theatre-play-buddy app's database, built by the app's own migrations (test/fixtures/app-db).

export const APP_DB_DIR = join(ROOT, 'test', 'fixtures', 'app-db');

/** Runs the fixture's make-app-db.sh (psql), as a user would: all six migrations, or the first `n`. */
export function makeAppDb(url: string, n?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(APP_DB_DIR, 'make-app-db.sh'), url, ...(n ? [String(n)] : [])], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`make-app-db.sh exited ${code}: ${stderr}`))));
  });
}

/**
 * A database as the previous playbuddy release left it: its first two migrations run as written and
 * recorded in `_prisma_migrations`, as `prisma migrate deploy` (and that release's schema engine) did.
 */
export async function makeReleaseDb(url: string): Promise<void> {
  const release = readMigrations().slice(0, 2);
  await withPgClient(url, async (c) => {
    await c.query(readFileSync(join(APP_DB_DIR, 'make-app-db.sh'), 'utf8').match(/<<'SQL'\n([\s\S]*?)\nSQL/)![1]!);
    for (const m of release) {
      await c.query('BEGIN');
      await c.query(m.sql);
      await c.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
         VALUES ($1, $2, now(), $3, now(), 1)`,
        [randomUUID(), createHash('sha256').update(m.sql).digest('hex'), m.name],
      );
      await c.query('COMMIT');
    }
  });
}

/** Every row of `_prisma_migrations`, as text, to prove it untouched. */
export async function prismaMigrationRows(url: string): Promise<string[]> {
  return withPgClient(url, async (c) => (await c.query<{ x: string }>(`SELECT t::text AS x FROM "_prisma_migrations" t ORDER BY migration_name`)).rows.map((r) => r.x));
}

const BOOKKEEPING = `('_prisma_migrations', '_playbuddy_migrations')`;

/**
 * The public schema's objects by name, as comparable text: columns with type, nullability and default;
 * indexes with their definition; constraints; enums with their values in order. Migration ledgers are left out.
 */
export async function schemaObjects(c: Pick<pg.Client, 'query'>): Promise<string[]> {
  const q = async (sql: string) => (await c.query<{ x: string }>(sql)).rows.map((r) => r.x);
  return [
    ...(await q(`SELECT concat_ws(' ', 'column', table_name || '.' || column_name, format_type(a.atttypid, a.atttypmod), is_nullable, column_default) AS x
                 FROM information_schema.columns ic
                 JOIN pg_attribute a ON a.attrelid = format('%I.%I', ic.table_schema, ic.table_name)::regclass AND a.attname = ic.column_name
                 WHERE table_schema = 'public' AND table_name NOT IN ${BOOKKEEPING} ORDER BY 1`)),
    ...(await q(`SELECT concat_ws(' ', 'index', indexname, indexdef) AS x FROM pg_indexes
                 WHERE schemaname = 'public' AND tablename NOT IN ${BOOKKEEPING} ORDER BY 1`)),
    ...(await q(`SELECT concat_ws(' ', 'constraint', cl.relname, co.conname, pg_get_constraintdef(co.oid)) AS x
                 FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
                 WHERE n.nspname = 'public' AND cl.relname NOT IN ${BOOKKEEPING} ORDER BY 1`)),
    ...(await q(`SELECT concat_ws(' ', 'enum', t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)) AS x
                 FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid GROUP BY t.typname ORDER BY 1`)),
  ];
}
