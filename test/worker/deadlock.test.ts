import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/pool.js';
import { claimJobs, completeAndClaim } from '../../src/queue/claim.js';
import { enqueueJobs } from '../../src/queue/repository.js';
import { testDatabase } from '../helpers/db.js';

const t = testDatabase('deadlock');
let pool: pg.Pool;
beforeAll(async () => {
  pool = createPool(t.url, { max: 4 });
});
afterAll(async () => {
  await pool?.end();
});

const req = { workerId: 'worker-a', limit: 1, leaseMs: 60_000 };

describe('completing a job and claiming the next in one statement', () => {
  it('falls back to separate statements when PostgreSQL aborts it as a deadlock, losing neither the completion nor the claim', async () => {
    await enqueueJobs(pool, [
      { rawText: 'first', filename: 'first.txt', config: { parser: 'rules', chunkSize: 1000 } },
      { rawText: 'next', filename: 'next.txt', config: { parser: 'rules', chunkSize: 1000 } },
    ]);
    const [first] = await claimJobs(pool, req);
    const next = (await pool.query<{ id: string }>(`SELECT id FROM "ParseJob" WHERE filename = 'next.txt'`)).rows[0]!.id;

    // Another transaction holds the job being completed, then asks for the job the statement has just
    // claimed: each waits for the other, and PostgreSQL aborts the statement that waited first.
    const other = new pg.Client({ connectionString: t.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT id FROM "ParseJob" WHERE id = $1 FOR UPDATE`, [first!.id]);
      const outcome = completeAndClaim(pool, [{ jobId: first!.id, leaseToken: first!.leaseToken }], req);
      await new Promise((r) => setTimeout(r, 300));
      await other.query(`UPDATE "ParseJob" SET priority = priority WHERE id = $1`, [next]);
      await other.query('COMMIT');
      const { completed, jobs } = await outcome;
      expect([...completed]).toEqual([first!.id]);
      expect(jobs.map((j) => j.id)).toEqual([next]);
    } finally {
      await other.end();
    }
    const rows = await pool.query<{ filename: string; status: string }>(`SELECT filename, status::text FROM "ParseJob" ORDER BY filename`);
    expect(rows.rows).toEqual([
      { filename: 'first.txt', status: 'completed' },
      { filename: 'next.txt', status: 'running' },
    ]);
  });
});
