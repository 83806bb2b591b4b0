import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { fromDist } from '../../bench/lib/dist.mjs';

// The chaos suite's databases: created under unique names, dropped at the end (even when the run fails),
// never the user's. Each gets an audit schema of its own, `chaos`, filled by triggers: every change of a
// job row and every JobEvent, numbered in the order they happened to that row (the trigger runs while the
// row lock is held, so the numbering is the real order even across processes and clocks), and the
// application name of the connection that made it (each worker connects as chaos-w<slot>).

const { resolveDatabaseUrl, withDatabase } = await fromDist('config/database.js');
const { quoteIdent } = await fromDist('db/server.js');

const created = new Set();

export function serverUrl() {
  return withDatabase(resolveDatabaseUrl(), 'postgres');
}

async function onMaintenance(fn) {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function createDatabase(label) {
  const name = `chaos_${label}_${process.pid}_${randomBytes(3).toString('hex')}`;
  await onMaintenance((c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  created.add(name);
  return { name, url: withDatabase(serverUrl(), name) };
}

export async function dropDatabase(name) {
  if (!created.has(name)) return;
  await onMaintenance((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
  created.delete(name);
}

export async function dropAllDatabases() {
  for (const name of [...created]) {
    try {
      await dropDatabase(name);
    } catch (err) {
      console.error(`could not drop database ${name}: ${err.message} (drop it by hand)`);
    }
  }
}

/** Where the server really listens (the proxy forwards there). */
export function upstreamOf(url) {
  const u = new URL(url);
  return { host: u.hostname === 'localhost' ? '127.0.0.1' : u.hostname, port: Number(u.port || 5432) };
}

/** The database's URL as a worker sees it: through the proxy's port, under its own application name. */
export function urlVia(url, port, applicationName) {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  u.searchParams.set('application_name', applicationName);
  return u.toString();
}

export function withApplicationName(url, applicationName) {
  const u = new URL(url);
  u.searchParams.set('application_name', applicationName);
  return u.toString();
}

const AUDIT_SQL = `
CREATE SCHEMA chaos;
CREATE SEQUENCE chaos.seq;
CREATE TABLE chaos.job_change (
  seq bigint NOT NULL, app text NOT NULL, job_id text NOT NULL,
  old_status text, new_status text, old_worker text, new_worker text, old_token text, new_token text,
  old_expiry timestamp, at_now timestamp NOT NULL, old_playbook text, new_playbook text,
  progress_write boolean NOT NULL
);
CREATE TABLE chaos.event (event_id text PRIMARY KEY, seq bigint NOT NULL, app text NOT NULL);
CREATE TABLE chaos.play (seq bigint NOT NULL, app text NOT NULL, op text NOT NULL, playbook_id text NOT NULL);

CREATE FUNCTION chaos.on_job_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO chaos.job_change VALUES (
    nextval('chaos.seq'), current_setting('application_name'), NEW.id,
    OLD.status::text, NEW.status::text, OLD."workerId", NEW."workerId", OLD."leaseToken", NEW."leaseToken",
    OLD."lockExpiry", now() AT TIME ZONE 'UTC', OLD."playbookId", NEW."playbookId",
    (OLD."currentState" IS DISTINCT FROM NEW."currentState" OR OLD."completedChunks" IS DISTINCT FROM NEW."completedChunks"
     OR OLD.checkpoints IS DISTINCT FROM NEW.checkpoints OR OLD."inputTokens" IS DISTINCT FROM NEW."inputTokens"
     OR OLD."outputTokens" IS DISTINCT FROM NEW."outputTokens"));
  RETURN NULL;
END $$;
CREATE TRIGGER chaos_job_change AFTER UPDATE ON "ParseJob" FOR EACH ROW EXECUTE FUNCTION chaos.on_job_change();

CREATE FUNCTION chaos.on_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO chaos.event VALUES (NEW.id, nextval('chaos.seq'), current_setting('application_name'));
  RETURN NULL;
END $$;
CREATE TRIGGER chaos_event AFTER INSERT ON "JobEvent" FOR EACH ROW EXECUTE FUNCTION chaos.on_event();

CREATE FUNCTION chaos.on_play() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO chaos.play VALUES (nextval('chaos.seq'), current_setting('application_name'), lower(TG_OP),
                                 coalesce(NEW.id, OLD.id));
  RETURN NULL;
END $$;
CREATE TRIGGER chaos_play AFTER INSERT OR DELETE ON "Playbook" FOR EACH ROW EXECUTE FUNCTION chaos.on_play();
`;

export async function installAudit(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(AUDIT_SQL);
  } finally {
    await c.end();
  }
}
