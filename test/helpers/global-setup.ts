import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { applyPendingMigrations } from '../../src/db/migrate.js';
import { quoteIdent, withPgClient } from '../../src/db/server.js';
import { adminUrl, serverUrl } from './db-names.js';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
  }
}

// One migrated template per test run; every test file then copies it (CREATE DATABASE … TEMPLATE), which
// takes milliseconds instead of replaying the migrations per file. Its name is unique, so two runs on one
// server do not trip over each other.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = `pbtest_template_${randomBytes(4).toString('hex')}`;
  await withPgClient(adminUrl(), (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  await applyPendingMigrations(serverUrl(name));
  project.provide('templateDb', name);
  return async () => {
    await withPgClient(adminUrl(), (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
  };
}
