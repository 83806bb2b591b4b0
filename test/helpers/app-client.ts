import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './cli.js';
import { APP_DB_DIR } from './app-db.js';

// The theatre-play-buddy app's own Prisma client, generated from its schema.prisma (test/fixtures/app-db)
// the way the app generates it: how the app reads plays is how the tests read what playbuddy wrote. It is
// generated offline (the CLI's engine download check is pointed at an existing file) into a folder under
// node_modules, where the generated code finds @prisma/client; the caller removes it afterwards.

export type AppClient = any;

export interface GeneratedAppClient {
  /** `new PrismaClient({ adapter })` of the app's client, over playbuddy's pinned @prisma/adapter-pg. */
  connect(connectionString: string): Promise<AppClient>;
  remove(): void;
}

export async function generateAppClient(): Promise<GeneratedAppClient> {
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'app-db-client-'));
  const out = join(dir, 'client');
  const schema = readFileSync(join(APP_DB_DIR, 'schema.prisma'), 'utf8').replace(
    /provider = "prisma-client-js"/,
    `provider = "prisma-client-js"\n  output   = ${JSON.stringify(out)}`,
  );
  writeFileSync(join(dir, 'schema.prisma'), schema);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'prisma'), ['generate', '--no-hints', '--schema', join(dir, 'schema.prisma')], {
      cwd: ROOT,
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`prisma generate of the app's client failed: ${stderr}`))));
  });
  const require = createRequire(join(ROOT, 'package.json'));
  const { PrismaClient } = require(out) as { PrismaClient: new (options: object) => AppClient };
  const { PrismaPg } = await import('@prisma/adapter-pg');
  return {
    async connect(connectionString) {
      return new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
