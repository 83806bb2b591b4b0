import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { withPgClient } from './server.js';

// Migrations are applied with Prisma's schema engine compiled to WebAssembly, driven through the pg driver
// adapter, because the engine binary that `prisma migrate deploy` spawns cannot be downloaded everywhere.
// The engine writes `_prisma_migrations` exactly as `migrate deploy` does, so the two stay interchangeable.
// This leans on an internal API: the versions of prisma, @prisma/* and the wasm package are pinned exactly.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PRISMA_DIR = join(root, 'prisma');
export const MIGRATIONS_DIR = join(PRISMA_DIR, 'migrations');
export const SCHEMA_PATH = join(PRISMA_DIR, 'schema.prisma');

// Any fixed number works as long as nothing else in the database uses it; it serialises concurrent
// migrators (two `playbuddy` processes starting at once against a fresh database).
const MIGRATION_LOCK_KEY = 0x706c6179; // "play"

export interface MigrationFileInfo {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  applied: Array<{ name: string; finishedAt: Date | null; modified: boolean }>;
  pending: string[];
  /** Recorded in the database but absent from prisma/migrations (a newer playbuddy migrated this database). */
  unknown: string[];
  /** Started but never finished (a migration failed half-way). */
  failed: string[];
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

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

async function readApplied(client: pg.Client): Promise<AppliedRow[]> {
  const exists = await client.query(`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present`);
  if (!exists.rows[0].present) return [];
  const r = await client.query<AppliedRow>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at`,
  );
  return r.rows.filter((row) => row.rolled_back_at === null);
}

function compare(files: MigrationFileInfo[], rows: AppliedRow[]): MigrationStatus {
  const byName = new Map(rows.map((r) => [r.migration_name, r]));
  const fileNames = new Set(files.map((f) => f.name));
  return {
    applied: files
      .filter((f) => byName.get(f.name)?.finished_at)
      .map((f) => {
        const row = byName.get(f.name)!;
        return { name: f.name, finishedAt: row.finished_at, modified: row.checksum !== f.checksum };
      }),
    pending: files.filter((f) => !byName.get(f.name)?.finished_at).map((f) => f.name),
    unknown: rows.filter((r) => !fileNames.has(r.migration_name)).map((r) => r.migration_name),
    failed: rows.filter((r) => !r.finished_at).map((r) => r.migration_name),
  };
}

export async function migrationStatus(connectionString: string): Promise<MigrationStatus> {
  const files = readMigrations();
  return withPgClient(connectionString, async (c) => compare(files, await readApplied(c)));
}

/**
 * Applies pending migrations, once, even when several processes call it at the same moment. The cheap
 * check comes first so the common case (nothing pending) never loads the WebAssembly engine.
 */
export async function applyPendingMigrations(connectionString: string): Promise<string[]> {
  const files = readMigrations();
  return withPgClient(connectionString, async (c) => {
    if (compare(files, await readApplied(c)).pending.length === 0) return [];
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      // Whoever held the lock before us may have applied everything already.
      if (compare(files, await readApplied(c)).pending.length === 0) return [];
      const { engine, close } = await openSchemaEngine(connectionString);
      try {
        const out = await engine.applyMigrations({ migrationsList: migrationList(files), filters: NO_FILTERS });
        return out.appliedMigrationNames;
      } finally {
        await close();
      }
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}

const NO_FILTERS = { externalTables: [] as string[], externalEnums: [] as string[] };

export function migrationList(files: MigrationFileInfo[], dir = MIGRATIONS_DIR) {
  const lockPath = join(dir, 'migration_lock.toml');
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: files.map((f) => ({
      path: f.name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok' as const, value: f.sql } },
    })),
  };
}

/**
 * The schema as of the newest migration. New migrations are the diff from it to schema.prisma, computed
 * from the two texts alone: the engine's introspection of a live database (what `migrate dev` replays into a
 * shadow database) fails through the driver adapter on PostgreSQL's internal "char" columns.
 */
export const SNAPSHOT_PATH = join(MIGRATIONS_DIR, 'schema.snapshot.prisma');

/** The SQL that takes a database described by `from` (null: an empty one) to the one described by `to`. */
export async function diffSchemas(connectionString: string, from: string | null, to: string): Promise<string> {
  const { engine, close } = await openSchemaEngine(connectionString);
  try {
    const result = await engine.diff({
      from: from === null ? { tag: 'empty' } : { tag: 'schemaDatamodel', files: [{ path: 'snapshot.prisma', content: from }] },
      to: { tag: 'schemaDatamodel', files: [{ path: SCHEMA_PATH, content: to }] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    });
    return result.stdout ?? '';
  } finally {
    await close();
  }
}

export function isEmptyMigration(sql: string): boolean {
  return sql.replace(/^--.*$/gm, '').trim() === '';
}

type Engine = import('@prisma/schema-engine-wasm/schema_engine_bg').SchemaEngine;

interface OpenEngine {
  engine: Engine;
  close(): Promise<void>;
}

/** The engine over a pool we own, so closing it really closes its connections (a template database in use cannot be copied, and an open socket keeps the CLI alive). */
async function openSchemaEngine(connectionString: string): Promise<OpenEngine> {
  const [bg, { PrismaPg }, { bindMigrationAwareSqlAdapterFactory }, { default: pg }] = await Promise.all([
    loadWasm(),
    import('@prisma/adapter-pg'),
    import('@prisma/driver-adapter-utils'),
    import('pg'),
  ]);
  const schema = readFileSync(SCHEMA_PATH, 'utf8');
  const pool = new pg.Pool({ connectionString, max: 2 });
  const factory = bindMigrationAwareSqlAdapterFactory(new PrismaPg(pool));
  const engine = await bg.SchemaEngine.new({ datamodels: [[SCHEMA_PATH, schema]] } as never, () => {}, factory);
  return {
    engine,
    async close() {
      engine.free();
      await pool.end();
    },
  };
}

// Node has WebAssembly, but its type declarations live in the DOM lib this project does not load.
const wasm = (globalThis as unknown as {
  WebAssembly: { instantiate(b: Uint8Array, imports: object): Promise<{ instance: { exports: object } }> };
}).WebAssembly;

let wasmModule: Promise<typeof import('@prisma/schema-engine-wasm/schema_engine_bg')> | undefined;

// The package's entry imports the .wasm file as an ES module, which Node 20 cannot do; instantiate it by hand.
function loadWasm() {
  wasmModule ??= (async () => {
    const bg = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const jsPath = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = readFileSync(join(dirname(jsPath), 'schema_engine_bg.wasm'));
    const { instance } = await wasm.instantiate(bytes, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    return bg;
  })();
  return wasmModule;
}
