import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';
import { runCli } from '../helpers/cli.js';
import { enqueue, statusOf, waitFor } from './support.js';

// A job whose worker is storing its play holds its row until the store commits. An operator's pause or
// cancel must not wait behind it, and a worker frozen inside that transaction must not hold the row past its
// lease. Real worker processes (test/worker/worker-process.mjs) with a slow store, against real PostgreSQL.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = join(root, 'test', 'worker', 'worker-process.mjs');
const t = testDatabase('committing');
const children = new Set<ChildProcess>();

beforeAll(async () => {
  await t.db.$executeRawUnsafe(`CREATE TABLE chunk_runs (job_id text, chunk int, pid int, attempt int, at timestamptz DEFAULT clock_timestamp())`);
  await t.db.$executeRawUnsafe(`CREATE TABLE completions (job_id text, pid int)`);
  await t.db.$executeRawUnsafe(`CREATE TABLE stops (job_id text, pid int, reason text)`);
});
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

async function spawnWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, DATABASE_URL: t.url, PB_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await waitFor('the worker process to start', async () => out.includes('ready ') || (child.exitCode !== null && Promise.reject(new Error(out))));
  return child;
}

/** The backend of the worker's storing transaction, once it is in its slow statement. */
async function storingBackend(): Promise<number> {
  return waitFor('the store to start', async () => {
    const rows = await t.db.$queryRawUnsafe<Array<{ pid: number }>>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep%' AND state = 'active'`,
    );
    return rows[0]?.pid;
  }, 60_000);
}

describe('a job whose play is being stored', { timeout: 120_000 }, () => {
  it('is not waited for by cancel: the operator is told at once that it is being committed', async () => {
    const [id] = await enqueue(t, 1, { label: 'committing' });
    const worker = await spawnWorker({ PB_CHUNKS: '1', PB_CHUNK_MS: '10', PB_STORE_MS: '8000', PB_LEASE_MS: '20000' });
    await storingBackend();

    const cancelled = await runCli(['cancel', id!], { databaseUrl: t.url });
    // Answered while the store still ran: nothing of it is committed yet.
    expect((await t.db.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM completions WHERE job_id = $1`, id)).length).toBe(0);
    expect(cancelled.code).toBe(1);
    expect(cancelled.stderr).toContain(`Job ${id!.slice(0, 8)} is being committed by its worker right now (its play is being stored); it could not be cancelled.`);

    await waitFor('the job to complete', async () => (await statusOf(t, id!)).status === 'completed', 60_000);
    worker.kill('SIGTERM');
  });

  it('held by a frozen worker, is let go within its lease: the server ends the transaction and cancel then works', async () => {
    const [id] = await enqueue(t, 1, { label: 'frozen' });
    const worker = await spawnWorker({ PB_CHUNKS: '1', PB_CHUNK_MS: '10', PB_STORE_MS: '1000', PB_LEASE_MS: '3000' });
    const backend = await storingBackend();
    worker.kill('SIGSTOP');

    // The store's statement ends; its transaction then sits idle with the row locked, until the server ends it.
    await waitFor(
      'the frozen transaction to be ended by the server',
      async () => (await t.db.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM pg_stat_activity WHERE pid = $1`, backend)).length === 0,
      30_000,
    );
    const cancelled = await runCli(['cancel', id!], { databaseUrl: t.url });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect((await statusOf(t, id!)).status).toBe('cancelled');
    worker.kill('SIGKILL');
  });
});
