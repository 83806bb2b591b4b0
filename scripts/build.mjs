#!/usr/bin/env node
// Generates the Prisma client and compiles src/ to dist/. Runs from `postinstall`, so a fresh `npm ci`
// leaves a working `npx playbuddy`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`build: ${[cmd, ...args].join(' ')} failed`);
    process.exit(r.status ?? 1);
  }
}

// `prisma generate` runs in WebAssembly, but the CLI first checks that a schema-engine binary exists and
// tries to download one when it does not. Pointing the variable at any existing file skips that download,
// which these machines cannot make.
const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
run(bin('prisma'), ['generate', '--no-hints'], env);
run(bin('tsc'), ['-p', 'tsconfig.json']);
