import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { fromDist } from './dist.mjs';

// Every benchmark works in databases it creates under a unique name and drops again, even when it fails or
// is interrupted, so it can run against a server that also holds real playbooks.

const { resolveDatabaseUrl, withDatabase, redactUrl } = await fromDist('config/database.js');
const { quoteIdent } = await fromDist('db/server.js');

const created = new Set();
let serverUrl;

/** The server the user's configuration points at (DATABASE_URL or PG* variables); its database is never used. */
export function server() {
  serverUrl ??= resolveDatabaseUrl();
  return serverUrl;
}

export function describeServer() {
  return redactUrl(withDatabase(server(), ''));
}

async function onMaintenance(fn) {
  const client = new pg.Client({ connectionString: withDatabase(server(), 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates an empty database named bench_<label>_<pid>_<random> and returns its URL. */
export async function createBenchDatabase(label) {
  const name = `bench_${label}_${process.pid}_${randomBytes(3).toString('hex')}`;
  await onMaintenance((c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  created.add(name);
  return { name, url: withDatabase(server(), name) };
}

export async function dropBenchDatabase(name) {
  if (!created.has(name)) return;
  // FORCE: a worker child that is still shutting down must not keep the database alive.
  await onMaintenance((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
  created.delete(name);
}

export async function dropAllBenchDatabases() {
  for (const name of [...created]) {
    try {
      await dropBenchDatabase(name);
    } catch (err) {
      console.error(`could not drop database ${name}: ${err.message} (drop it by hand)`);
    }
  }
}

export async function serverFacts() {
  return onMaintenance(async (c) => {
    const setting = async (name) => (await c.query(`SELECT current_setting($1) AS v`, [name])).rows[0].v;
    return {
      postgres: await setting('server_version'),
      shared_buffers: await setting('shared_buffers'),
      synchronous_commit: await setting('synchronous_commit'),
      fsync: await setting('fsync'),
    };
  });
}
