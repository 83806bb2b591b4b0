import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SCHEMA_PATH } from './paths.js';

// Prisma's schema engine compiled to WebAssembly, driven through the pg driver adapter, because the engine
// binary that `prisma migrate dev` spawns cannot be downloaded everywhere. playbuddy uses it only to write
// new migrations (scripts/new-migration.mjs) and in tests; applying them is src/db/migrate.ts's own work.
// This leans on an internal API: the versions of prisma, @prisma/* and the wasm package are pinned exactly.

/** The SQL that takes a database described by `from` (null: an empty one) to the one described by `to`. */
export async function diffSchemas(connectionString: string, from: string | null, to: string): Promise<string> {
  const { engine, close } = await openSchemaEngine(connectionString);
  try {
    const result = await engine.diff({
      from: from === null ? { tag: 'empty' } : { tag: 'schemaDatamodel', files: [{ path: 'snapshot.prisma', content: from }] },
      to: { tag: 'schemaDatamodel', files: [{ path: SCHEMA_PATH, content: to }] },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
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

/** The engine over a pool we own, so closing it really closes its connections (a template database in use cannot be copied, and an open socket keeps the CLI alive). */
export async function openSchemaEngine(connectionString: string): Promise<{ engine: Engine; close(): Promise<void> }> {
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
    const { instance } = await wasm.instantiate(bytes, { './schema_engine_bg.js': withUnrefTimers(bg) });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    return bg;
  })();
  return wasmModule;
}

/**
 * The engine arms a 10-second timer around its database work (a timeout race) and never clears it, because
 * the wasm build imports setTimeout but no clearTimeout. That pending timer kept every process that ran the
 * engine alive for 10 s after its work was done. The engine's own promises are awaited while its sockets
 * are open, so an unreferenced timer still fires whenever it could matter, and no longer holds the process.
 */
function withUnrefTimers(bg: Record<string, unknown>): Record<string, unknown> {
  const imports: Record<string, unknown> = { ...bg };
  for (const name of Object.keys(bg).filter((n) => n.startsWith('__wbg_setTimeout_'))) {
    imports[name] = (fn: () => void, ms: number) => {
      const t = setTimeout(fn, ms >>> 0);
      t.unref();
      return t;
    };
  }
  return imports;
}
