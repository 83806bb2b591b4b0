import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/pool.js';
import type { JobHandler } from '../../src/worker/handler.js';
import { testDatabase } from '../helpers/db.js';
import { enqueue, startTestWorker, statusOf, waitFor, type TestWorker } from './support.js';

// A database connection that goes away in the middle of storing a play is a passing problem: the job must
// be retried, not failed. Each case ends the worker's own backend from outside, as an operator's
// pg_terminate_backend, a PostgreSQL restart or a proxy dropping the connection would.

const t = testDatabase('connection_loss');
let admin: ReturnType<typeof createPool>;
const workers: TestWorker[] = [];

beforeAll(async () => {
  admin = createPool(t.url, { max: 1 });
});
// Closed after each case: a worker left running would take the next case's job with a handler already past its loss.
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});
afterAll(async () => {
  await admin.end();
  await t.drop();
});

type Store = Parameters<Parameters<JobHandler>[1]['complete']>[0];

/** A handler whose store loses its connection the first time, and stores normally after that. */
function losingConnectionOnce(loseIt: Store): { handler: JobHandler; attempts: () => number } {
  let attempts = 0;
  const handler: JobHandler = async (job, ctx) => {
    attempts++;
    await ctx.complete(attempts === 1 ? loseIt : async () => ({ playbookId: `pb-${job.id}` }));
  };
  return { handler, attempts: () => attempts };
}

const cases: Array<[string, Store]> = [
  [
    'the backend is terminated while a statement runs (57P01)',
    async (tx) => {
      const { rows: [{ pid }] } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      setTimeout(() => void admin.query('SELECT pg_terminate_backend($1)', [pid]), 200);
      await tx.query('SELECT pg_sleep(5)');
      return { playbookId: 'never' };
    },
  ],
  [
    'the backend is gone before the next statement ("not queryable")',
    async (tx) => {
      const { rows: [{ pid }] } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await new Promise((r) => setTimeout(r, 200));
      await tx.query('SELECT 1');
      return { playbookId: 'never' };
    },
  ],
];

describe('a database connection lost while storing', () => {
  for (const [what, loseIt] of cases) {
    it(`is retried, not failed, when ${what}`, async () => {
      const [id] = await enqueue(t, 1, { label: 'lost', maxRetries: 3 });
      const { handler, attempts } = losingConnectionOnce(loseIt);
      const w = await startTestWorker(t, handler);
      workers.push(w);
      const done = await waitFor('the job to end', async () => {
        const job = await statusOf(t, id!);
        return job.status === 'completed' || job.status === 'failed' ? job : undefined;
      });
      expect(done.status, done.failureReason ?? '').toBe('completed');
      expect(done.retryCount).toBe(1);
      expect(attempts()).toBe(2);
      const retried = await t.db.jobEvent.findFirstOrThrow({ where: { jobId: id!, event: 'retrying' } });
      expect(retried.details).toMatchObject({ transient: true });
    });
  }
});
