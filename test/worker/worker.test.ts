import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../src/errors.js';
import { transitionJob } from '../../src/queue/repository.js';
import type { ClaimedJob } from '../../src/worker/handler.js';
import { testDatabase } from '../helpers/db.js';
import { aborted, enqueue, eventsOf, sleep, startTestWorker, statusOf, waitFor, type TestWorker } from './support.js';

const t = testDatabase('worker');
const workers: TestWorker[] = [];

beforeAll(async () => {
  await t.db.$executeRawUnsafe(`CREATE TABLE executions (job_id text NOT NULL, worker text NOT NULL, at timestamptz DEFAULT clock_timestamp())`);
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
});

async function started(...args: Parameters<typeof startTestWorker>) {
  const w = await startTestWorker(...args);
  workers.push(w);
  return w;
}

async function countsByStatus(ids: string[]) {
  const rows = await t.db.parseJob.groupBy({ by: ['status'], where: { id: { in: ids } }, _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
}

describe('worker', () => {
  it('runs every job exactly once across several workers', async () => {
    const ids = await enqueue(t, 300, { label: 'once' });
    const recordInTx = async (job: ClaimedJob, ctx: Parameters<Parameters<typeof startTestWorker>[1]>[1]) => {
      // Recorded in the completing transaction: a run that did not complete leaves no row.
      await ctx.complete(async (tx) => {
        await tx.query('INSERT INTO executions (job_id, worker) VALUES ($1, $2)', [job.id, job.workerId]);
        return { playbookId: `pb-${job.id}` };
      });
    };
    const ws = await Promise.all([1, 2, 3].map(() => started(t, recordInTx, { concurrency: 4 })));
    await waitFor('all jobs completed', async () => (await countsByStatus(ids)).completed === ids.length);
    const dupes = await t.db.$queryRaw<Array<{ n: number }>>`
      SELECT count(*)::int AS n FROM (SELECT job_id FROM executions GROUP BY job_id HAVING count(*) > 1) d`;
    expect(dupes[0]!.n).toBe(0);
    const total = await t.db.$queryRaw<Array<{ n: number }>>`SELECT count(DISTINCT job_id)::int AS n FROM executions`;
    expect(total[0]!.n).toBe(ids.length);
    // Every worker got some of the work.
    const perWorker = await t.db.$queryRaw<Array<{ worker: string; n: number }>>`SELECT worker, count(*)::int AS n FROM executions GROUP BY worker`;
    expect(perWorker.length).toBe(3);
    const one = await statusOf(t, ids[0]!);
    expect(one).toMatchObject({ status: 'completed', playbookId: `pb-${ids[0]}`, progress: 100, workerId: null, leaseToken: null });
    expect(await eventsOf(t, ids[0]!)).toEqual(['enqueued', 'running', 'completed']);
    const summaries = await Promise.all(ws.map((w) => w.close()));
    expect(summaries.reduce((a, s) => a + s.completed, 0)).toBe(ids.length);
  });

  it('takes higher priorities first, then older jobs', async () => {
    const order: string[] = [];
    const low = await enqueue(t, 2, { priority: -5, label: 'low' });
    const high = await enqueue(t, 2, { priority: 5, label: 'high' });
    const mid = await enqueue(t, 1, { priority: 0, label: 'mid' });
    const w = await started(t, async (job) => void order.push(job.id), { concurrency: 1 });
    await waitFor('five jobs run', async () => order.length >= 5);
    await w.close();
    expect(order).toEqual([...high, ...mid, ...low]);
  });

  it('retries transient failures with growing, jittered delays, then fails with the reason', async () => {
    const [id] = await enqueue(t, 1, { maxRetries: 3, label: 'flaky' });
    const attempts: number[] = [];
    const w = await started(t, async (job) => {
      attempts.push(job.attempt);
      throw new TransientError('the provider is overloaded');
    });
    const job = await waitFor('the job to fail', async () => {
      const j = await statusOf(t, id!);
      return j.status === 'failed' ? j : null;
    });
    await w.close();
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(job.retryCount).toBe(3);
    expect(job.failureReason).toBe('Gave up after 4 attempts: the provider is overloaded');
    const events = await t.db.jobEvent.findMany({ where: { jobId: id!, event: 'retrying' }, orderBy: { createdAt: 'asc' } });
    const delays = events.map((e) => (e.details as { delayMs: number }).delayMs);
    // base 100 ms, doubling: each delay within [nominal/2, nominal].
    expect(delays.length).toBe(3);
    delays.forEach((d, i) => {
      const nominal = 100 * 2 ** i;
      expect(d).toBeGreaterThanOrEqual(nominal / 2);
      expect(d).toBeLessThanOrEqual(nominal);
    });
  });

  it('waits at least as long as the provider asked', async () => {
    const [id] = await enqueue(t, 1, { label: 'rate-limited' });
    const w = await started(t, async () => {
      throw new TransientError('rate limited', 60_000);
    });
    const job = await waitFor('the job to be retrying', async () => {
      const j = await statusOf(t, id!);
      return j.status === 'retrying' ? j : null;
    });
    await w.close();
    expect(job.runAfter.getTime() - job.updatedAt.getTime()).toBeGreaterThanOrEqual(59_000);
    await transitionJob(t.sql, id!, 'cancelled');
  });

  it('fails permanent errors and unexpected errors at once, with the message', async () => {
    const [bad, bug] = await enqueue(t, 2, { label: 'broken' });
    const w = await started(t, async (job) => {
      if (job.id === bad) throw new PermanentError('The text has no recognisable speakers.');
      throw new TypeError('cannot read properties of undefined');
    });
    await waitFor('both jobs failed', async () => (await countsByStatus([bad!, bug!])).failed === 2);
    await w.close();
    expect(await statusOf(t, bad!)).toMatchObject({ retryCount: 0, failureReason: 'The text has no recognisable speakers.' });
    expect(await statusOf(t, bug!)).toMatchObject({ retryCount: 0, failureReason: 'cannot read properties of undefined' });
  });

  it('records the stage a job failed in, also one its handler entered without writing it', async () => {
    const [storing, parsing] = await enqueue(t, 2, { label: 'stage' });
    const w = await started(t, async (job, ctx) => {
      if (job.id === parsing) {
        await ctx.progress({ stage: 'parsing', progress: 40 });
        throw new PermanentError('no play structure found');
      }
      await ctx.progress({ stage: 'parsing', progress: 80 });
      ctx.enterStage('storing');
      throw new PermanentError('the store refused the play');
    });
    await waitFor('both jobs failed', async () => (await countsByStatus([storing!, parsing!])).failed === 2);
    await w.close();
    expect(await statusOf(t, parsing!)).toMatchObject({ status: 'failed', stage: 'parsing', progress: 40 });
    expect(await statusOf(t, storing!)).toMatchObject({ status: 'failed', stage: 'storing', progress: 80 });
  });

  it('dispatches on the job type, and fails a job whose type it has no handler for, saying so', async () => {
    const [id] = await enqueue(t, 1, { label: 'no-handler' });
    const w = await started(t, async () => {}, { handlers: {} });
    await waitFor('the job to fail', async () => (await statusOf(t, id!)).status === 'failed');
    await w.close();
    expect(await statusOf(t, id!)).toMatchObject({
      retryCount: 0,
      failureReason: 'This worker has no handler for jobs of type PARSE_PLAY (it runs none); run it on a worker that has one, then use playbuddy retry.',
    });
  });

  it('stops a running job within seconds when it is paused, keeps its checkpoint, and resumes from it', async () => {
    const [id] = await enqueue(t, 1, { label: 'pausable' });
    const seen: Array<{ attempt: number; from: unknown }> = [];
    let stopReason: unknown;
    const w = await started(t, async (job, ctx) => {
      seen.push({ attempt: job.attempt, from: job.currentState });
      if (job.currentState) return; // second run: resumed from the checkpoint
      await ctx.checkpoint({ state: { next: 1 }, completedChunks: 1, totalChunks: 2, progress: 50, entry: { chunk: 0 } });
      try {
        await aborted(ctx.signal);
      } catch (err) {
        stopReason = err;
        throw err;
      }
    });
    await waitFor('the checkpoint', async () => (await statusOf(t, id!)).completedChunks === 1);
    const pausedAt = Date.now();
    await transitionJob(t.sql, id!, 'paused');
    await waitFor('the handler to stop', async () => stopReason !== undefined, 10_000);
    expect(Date.now() - pausedAt).toBeLessThan(5_000);
    expect(await statusOf(t, id!)).toMatchObject({ status: 'paused', completedChunks: 1, currentState: { next: 1 }, retryCount: 0, workerId: null });
    await transitionJob(t.sql, id!, 'queued');
    await waitFor('completion after resume', async () => (await statusOf(t, id!)).status === 'completed');
    await w.close();
    expect(seen).toEqual([
      { attempt: 1, from: null },
      { attempt: 1, from: { next: 1 } },
    ]);
    expect(await eventsOf(t, id!)).toEqual(['enqueued', 'running', 'paused', 'resumed', 'running', 'completed']);
  });

  it('stops a running job when it is cancelled and writes nothing more for it', async () => {
    const [id] = await enqueue(t, 1, { label: 'cancellable' });
    let ended = false;
    const w = await started(t, async (_job, ctx) => {
      await aborted(ctx.signal).catch(async (err) => {
        ended = true;
        // A handler that keeps writing after the stop: every write is refused.
        await expect(ctx.checkpoint({ state: { late: true }, completedChunks: 9, totalChunks: 9, progress: 99, entry: {} })).rejects.toThrow(/lease/);
        throw err;
      });
    });
    await waitFor('the job running', async () => (await statusOf(t, id!)).status === 'running');
    await transitionJob(t.sql, id!, 'cancelled');
    await waitFor('the handler to stop', async () => ended, 10_000);
    await sleep(200);
    await w.close();
    expect(await statusOf(t, id!)).toMatchObject({ status: 'cancelled', completedChunks: 0, currentState: null });
    expect(await eventsOf(t, id!)).toEqual(['enqueued', 'running', 'cancelled']);
  });

  it('on graceful stop, hands running jobs back at their checkpoint without using an attempt', async () => {
    const ids = await enqueue(t, 2, { label: 'shutdown' });
    const w = await started(
      t,
      async (job, ctx) => {
        for (let chunk = 0; ; chunk++) {
          await ctx.checkpoint({ state: { chunk }, completedChunks: chunk + 1, totalChunks: 1000, progress: 0, entry: { chunk } });
          await sleep(50);
        }
      },
      { concurrency: 2 },
    );
    await waitFor('both running with checkpoints', async () => (await t.db.parseJob.count({ where: { id: { in: ids }, completedChunks: { gte: 2 } } })) === 2);
    const summary = await w.close(10_000);
    expect(summary.released).toBe(2);
    for (const id of ids) {
      const j = await statusOf(t, id);
      expect(j).toMatchObject({ status: 'queued', retryCount: 0, workerId: null, leaseToken: null });
      expect(j.completedChunks).toBeGreaterThanOrEqual(2);
      expect((j.currentState as { chunk: number }).chunk).toBe(j.completedChunks - 1);
      expect(await eventsOf(t, id)).toEqual(['enqueued', 'running', 'released']);
    }
    const resumed: unknown[] = [];
    const w2 = await started(t, async (job) => void resumed.push(job.currentState), { concurrency: 2 });
    await waitFor('both completed', async () => (await countsByStatus(ids)).completed === 2);
    await w2.close();
    expect(resumed).toHaveLength(2);
    expect(resumed).toEqual([{ chunk: expect.any(Number) }, { chunk: expect.any(Number) }].map((s) => expect.objectContaining(s)));
    const row = await t.db.worker.findUniqueOrThrow({ where: { id: w.worker.id } });
    expect(row.stoppedAt).not.toBeNull();
  });

  it('stops a job whose lease was taken without a notification, at its next heartbeat, writing nothing more', async () => {
    const [id] = await enqueue(t, 1, { label: 'taken' });
    let stopped: unknown;
    const w = await started(t, async (_job, ctx) => {
      await aborted(ctx.signal).catch((err) => {
        stopped = err;
        throw err;
      });
    }, { leaseMs: 1_500 });
    await waitFor('the job running', async () => (await statusOf(t, id!)).status === 'running');
    // As if another worker had recovered it during a network split: a new token, no NOTIFY.
    await t.db.parseJob.update({ where: { id: id! }, data: { leaseToken: 'someone-else', workerId: 'other' } });
    await waitFor('the handler to stop', async () => stopped !== undefined, 10_000);
    const summary = await w.close();
    expect(summary.stopped).toBe(1);
    expect(await statusOf(t, id!)).toMatchObject({ status: 'running', leaseToken: 'someone-else', workerId: 'other' });
    expect(await eventsOf(t, id!)).toEqual(['enqueued', 'running']);
    await transitionJob(t.sql, id!, 'cancelled');
  });

  it('reconnects its notification connection when it drops, and is woken by notifications again', async () => {
    const ran: string[] = [];
    // A poll far longer than the test: only a notification can wake the worker in time.
    const w = await started(t, async (job) => void ran.push(job.id), { pollMs: 600_000 });
    const listeners = () =>
      t.db.$queryRaw<Array<{ pid: number }>>`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'playbuddy-listener'`;
    const [before] = await listeners();
    await t.db.$queryRaw`SELECT pg_terminate_backend(${before!.pid}::int)`;
    await waitFor('a new notification connection', async () => (await listeners()).some((l) => l.pid !== before!.pid));
    const [id] = await enqueue(t, 1, { label: 'after-reconnect' });
    await waitFor('the job to run', async () => ran.includes(id!));
    await w.close();
  });

  it('with drain, stops once nothing is runnable now; jobs in backoff do not keep it alive', async () => {
    const [later] = await enqueue(t, 1, { label: 'backoff' });
    await t.db.parseJob.update({ where: { id: later! }, data: { status: 'retrying', runAfter: new Date(Date.now() + 3_600_000) } });
    const ids = await enqueue(t, 5, { label: 'drain' });
    const w = await started(t, async () => {}, { concurrency: 2, drain: true });
    const summary = await w.worker.stopped;
    await w.close();
    expect(summary.reason).toBe('drained');
    expect((await countsByStatus(ids)).completed).toBe(5);
    expect((await statusOf(t, later!)).status).toBe('retrying');
    await transitionJob(t.sql, later!, 'cancelled');
  });

  it('with maxJobs, stops after that many', async () => {
    const ids = await enqueue(t, 5, { label: 'max' });
    const w = await started(t, async () => {}, { concurrency: 2, maxJobs: 3 });
    const summary = await w.worker.stopped;
    await w.close();
    expect(summary).toMatchObject({ reason: 'max-jobs', claimed: 3, completed: 3 });
    expect((await countsByStatus(ids)).queued).toBe(2);
    await Promise.all(ids.map((id) => transitionJob(t.sql, id, 'cancelled').catch(() => {})));
  });
});
