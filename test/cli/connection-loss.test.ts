import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/pool.js';
import { testDatabase } from '../helpers/db.js';
import { startCli } from '../llm/queue-support.js';
import { waitFor } from '../helpers/wait.js';

// A command whose database connection is cut while it waits on the server must say so in one sentence
// with a hint and exit 1, leaving nothing half-written: never a Node stack trace from an 'error' event that
// nobody listened to. The test holds a lock the command needs, then ends the command's backend from outside
// while it waits, as a restarting server or a proxy dropping connections would.

const t = testDatabase('cli_connection_loss');
let admin: ReturnType<typeof createPool>;
let dir: string;

beforeAll(async () => {
  admin = createPool(t.url, { max: 3 });
  dir = mkdtempSync(join(tmpdir(), 'pb-connection-loss-'));
});
afterAll(async () => {
  await admin.end();
  await t.drop();
});

/** Runs the command while `lock` (SQL run in an open transaction) is held; ends its backend once it waits on the lock. */
async function cutWhileWaiting(args: string[], lock: string, waitingQuery: RegExp) {
  const holder = await admin.connect();
  try {
    await holder.query('BEGIN');
    await holder.query(lock);
    const run = startCli(args, { databaseUrl: t.url, timeoutMs: 30_000 });
    const pid = await waitFor('the command to wait on the lock', async () => {
      const { rows } = await admin.query<{ pid: number; query: string }>(
        `SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`,
        [(await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid],
      );
      return rows.find((r) => waitingQuery.test(r.query))?.pid;
    });
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    return await run.done;
  } finally {
    await holder.query('ROLLBACK').catch(() => {});
    holder.release();
  }
}

function expectOneSentence(result: { code: number | null; stderr: string }) {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(/^error: Lost the connection to PostgreSQL at postgresql:\/\/\S+ \(57P01\)/m);
  expect(result.stderr).toMatch(/^hint: /m);
  expect(result.stderr).not.toMatch(/Unhandled 'error' event|\n\s+at /);
}

describe('a connection cut while a command waits on the server', () => {
  it('enqueue: one sentence and a hint, exit 1, nothing queued', async () => {
    const play = join(dir, 'cut.txt');
    writeFileSync(play, 'THE CUT\n\nACT I\n\nALICE. The line goes dead.\n\nBOB. Hello?\n');
    // The lock every de-duplicating enqueue takes first (see src/queue/repository.ts).
    const result = await cutWhileWaiting(['enqueue', play], `SELECT pg_advisory_xact_lock(${0x656e71})`, /pg_advisory_xact_lock/);
    expectOneSentence(result);
    expect(result.stderr).toMatch(/rolled back \(nothing half-written\)/);
    expect(await t.db.parseJob.count()).toBe(0);
  });

  it('the first contact (migration check): one sentence and a hint, exit 1', async () => {
    const result = await cutWhileWaiting(['status'], 'LOCK TABLE "_playbuddy_migrations" IN ACCESS EXCLUSIVE MODE', /_playbuddy_migrations/);
    expectOneSentence(result);
  });
});
