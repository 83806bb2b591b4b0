import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimJobs, completeAndClaim } from '../../src/queue/claim.js';
import { addUsage, completeJob, failAttempt, releaseJob, renewLeases, writeCheckpoint, writeEvent, writeProgress } from '../../src/queue/lease.js';
import { transitionJob } from '../../src/queue/repository.js';
import { openWorkerConnections, type WorkerConnections } from '../../src/worker/connections.js';
import { groupCompletions } from '../../src/worker/completions.js';
import { testDatabase } from '../helpers/db.js';
import { enqueue, eventsOf, startTestWorker, statusOf, waitFor } from './support.js';

const t = testDatabase('lease');
let c: WorkerConnections;

beforeAll(async () => {
  c = openWorkerConnections(t.url, { concurrency: 1 });
});
afterAll(async () => {
  await c?.close();
});

const cp = { state: { at: 'late' }, completedChunks: 7, totalChunks: 9, progress: 77, entry: { late: true } };

describe('leases', () => {
  it('refuses every write of a worker that lost its lease, and changes nothing', async () => {
    const [id] = await enqueue(t, 1, { label: 'fenced' });
    const [job] = await claimJobs(c.pool, { workerId: 'w-old', limit: 1, leaseMs: 60_000 });
    expect(job!.id).toBe(id);
    const lease = { jobId: job!.id, leaseToken: job!.leaseToken };
    expect(await writeCheckpoint(c.pool, lease, { ...cp, state: { at: 'first' }, completedChunks: 1 }, 60_000)).toBe(true);
    expect(await writeProgress(c.pool, lease, { stage: 'parsing', progress: 12 })).toBe(true);
    await transitionJob(t.sql, id!, 'paused');
    const before = await statusOf(t, id!);
    const eventsBefore = await eventsOf(t, id!);

    expect(await writeCheckpoint(c.pool, lease, cp, 60_000)).toBe(false);
    expect(await addUsage(c.pool, lease, { inputTokens: 10, outputTokens: 10, costUsd: 1 })).toBe(false);
    expect(await writeProgress(c.pool, lease, { stage: 'storing', progress: 90 })).toBe(false);
    expect(await writeEvent(c.pool, lease, 'repaired', {})).toBe(false);
    expect(await completeJob(c.pool, lease, 'pb-late')).toBe(false);
    expect(await failAttempt(c.pool, lease, { message: 'late', transient: true, delayMs: 1 })).toBeNull();
    expect(await releaseJob(c.pool, lease, 'late')).toBe(false);
    expect((await renewLeases(c.pool, 'w-old', [lease], 60_000)).size).toBe(0);

    expect(await statusOf(t, id!)).toEqual(before);
    expect(await eventsOf(t, id!)).toEqual(eventsBefore);
    expect(before).toMatchObject({ status: 'paused', completedChunks: 1, currentState: { at: 'first' }, leaseToken: null, stage: 'parsing', progress: 12 });

    // Claimed again later: the old token still writes nothing, the new one does.
    await transitionJob(t.sql, id!, 'queued');
    const [again] = await claimJobs(c.pool, { workerId: 'w-new', limit: 1, leaseMs: 60_000 });
    expect(again!.id).toBe(id);
    expect(again!.currentState).toEqual({ at: 'first' });
    expect(await writeCheckpoint(c.pool, lease, cp, 60_000)).toBe(false);
    expect(await completeJob(c.pool, { jobId: id!, leaseToken: again!.leaseToken }, null)).toBe(true);
  });

  it('completes jobs and claims the next in one statement, and claims even when a completion was fenced off', async () => {
    const [first, second, third] = await enqueue(t, 3, { label: 'refill' });
    const [job] = await claimJobs(c.pool, { workerId: 'w', limit: 1, leaseMs: 60_000 });
    expect(job!.id).toBe(first);
    const out = await completeAndClaim(c.pool, [{ jobId: first!, leaseToken: job!.leaseToken }], { workerId: 'w', limit: 1, leaseMs: 60_000 });
    expect([...out.completed]).toEqual([first]);
    expect(out.jobs.map((j) => j.id)).toEqual([second]);
    expect(await eventsOf(t, first!)).toEqual(['enqueued', 'running', 'completed']);
    const stale = await completeAndClaim(c.pool, [{ jobId: first!, leaseToken: job!.leaseToken }], { workerId: 'w', limit: 1, leaseMs: 60_000 });
    expect(stale).toMatchObject({ completed: new Set(), jobs: [{ id: third }] });
    const none = await completeAndClaim(c.pool, [{ jobId: second!, leaseToken: out.jobs[0]!.leaseToken }], { workerId: 'w', limit: 1, leaseMs: 60_000 });
    expect(none).toEqual({ completed: new Set([second]), jobs: [] });
    await completeJob(c.pool, { jobId: third!, leaseToken: stale.jobs[0]!.leaseToken }, null);
  });

  it('groups the completions of slots that finish together into one statement, each fenced and audited on its own', async () => {
    const ids = await enqueue(t, 5, { label: 'group' });
    const jobs = await claimJobs(c.pool, { workerId: 'w', limit: 3, leaseMs: 60_000 });
    const leases = jobs.map((j) => ({ jobId: j.id, leaseToken: j.leaseToken }));
    // The second job's lease was taken over: its completion must change nothing, the others' must hold.
    await c.pool.query(`UPDATE "ParseJob" SET "leaseToken" = 'someone-else' WHERE id = $1`, [leases[1]!.jobId]);
    const sent: number[] = [];
    const complete = groupCompletions((batch, limit) => {
      sent.push(batch.length);
      return completeAndClaim(c.pool, batch, { workerId: 'w', limit, leaseMs: 60_000 });
    }, { inFlight: 1 });
    const outcomes = await Promise.all(leases.map((lease) => complete(lease, 1)));
    // The first goes out at once; the two that arrive while it is on its way share the next statement.
    expect(sent).toEqual([1, 2]);
    expect(outcomes.map((o) => o.completed)).toEqual([true, false, true]);
    const next = outcomes.flatMap((o) => o.jobs.map((j) => j.id));
    expect(next.sort()).toEqual(ids.filter((id) => !leases.some((l) => l.jobId === id)).sort());
    expect(await eventsOf(t, leases[0]!.jobId)).toEqual(['enqueued', 'running', 'completed']);
    expect(await eventsOf(t, leases[2]!.jobId)).toEqual(['enqueued', 'running', 'completed']);
    expect(await eventsOf(t, leases[1]!.jobId)).toEqual(['enqueued', 'running']);
    for (const job of outcomes.flatMap((o) => o.jobs)) await completeJob(c.pool, { jobId: job.id, leaseToken: job.leaseToken }, null);
    await c.pool.query(`UPDATE "ParseJob" SET status = 'cancelled', "leaseToken" = NULL WHERE id = $1`, [leases[1]!.jobId]);
  });

  it('sends completions at once while fewer statements than its bound are on their way, then groups the rest', async () => {
    await enqueue(t, 4, { label: 'in-flight' });
    const jobs = await claimJobs(c.pool, { workerId: 'w', limit: 4, leaseMs: 60_000 });
    const sent: number[] = [];
    const complete = groupCompletions((batch, limit) => {
      sent.push(batch.length);
      return completeAndClaim(c.pool, batch, { workerId: 'w', limit, leaseMs: 60_000 });
    });
    const outcomes = await Promise.all(jobs.map((j) => complete({ jobId: j.id, leaseToken: j.leaseToken }, 0)));
    // Two statements go out side by side (two slots never wait for each other); the other two share the next.
    expect(sent).toEqual([1, 1, 2]);
    expect(outcomes.map((o) => o.completed)).toEqual([true, true, true, true]);
    for (const j of jobs) expect(await eventsOf(t, j.id)).toEqual(['enqueued', 'running', 'completed']);
  });

  it('renews the other leases and the heartbeat without waiting while one job holds its row locked to store its play', async () => {
    await enqueue(t, 2, { label: 'renew-locked' });
    const [storing, other] = await claimJobs(c.pool, { workerId: 'w-renew', limit: 2, leaseMs: 5_000 });
    const leases = [storing!, other!].map((j) => ({ jobId: j.id, leaseToken: j.leaseToken }));
    await t.sql.query(`INSERT INTO "Worker" (id, host, pid, concurrency, "lastHeartbeat") VALUES ('w-renew', 'h', 1, 2, now() - interval '1 minute')`);
    // What the storing transaction does: the job's row stays locked until its commit.
    const store = await c.pool.connect();
    try {
      await store.query('BEGIN');
      await store.query(`SELECT 1 FROM "ParseJob" WHERE id = $1 FOR UPDATE`, [storing!.id]);
      const renewer = await c.pool.connect();
      try {
        // Waiting for the lock would fail here instead of hanging the test.
        await renewer.query(`SET lock_timeout = '2s'`);
        const held = await renewLeases(renewer, 'w-renew', leases, 60_000);
        expect([...held].sort()).toEqual([storing!.id, other!.id].sort());
      } finally {
        await renewer.query('RESET lock_timeout');
        renewer.release();
      }
    } finally {
      await store.query('ROLLBACK');
      store.release();
    }
    const { rows } = await t.sql.query<{ id: string; left: number }>(
      `SELECT id, extract(epoch FROM "lockExpiry" - now())::float8 AS left FROM "ParseJob" WHERE id = ANY($1)`,
      [leases.map((l) => l.jobId)],
    );
    const left = Object.fromEntries(rows.map((r) => [r.id, r.left]));
    expect(left[other!.id]).toBeGreaterThan(30);
    expect(left[storing!.id]).toBeLessThan(10);
    const beat = await t.sql.query<{ ago: number }>(`SELECT extract(epoch FROM now() - "lastHeartbeat")::float8 AS ago FROM "Worker" WHERE id = 'w-renew'`);
    expect(beat.rows[0]!.ago).toBeLessThan(30);
    for (const j of [storing!, other!]) await completeJob(c.pool, { jobId: j.id, leaseToken: j.leaseToken }, null);
  });

  it('recovers a job whose worker died: it uses an attempt and resumes from its checkpoint', async () => {
    const [id] = await enqueue(t, 1, { label: 'orphan' });
    const [job] = await claimJobs(c.pool, { workerId: 'w-dead', limit: 1, leaseMs: 500 });
    await writeCheckpoint(c.pool, { jobId: job!.id, leaseToken: job!.leaseToken }, { state: { next: 3 }, completedChunks: 3, totalChunks: 5, progress: 60, entry: { chunk: 2 } }, 500);
    // The dead worker never renews. A live worker recovers the job once the lease has expired.
    const resumedFrom: unknown[] = [];
    const w = await startTestWorker(t, async (j) => void resumedFrom.push({ attempt: j.attempt, state: j.currentState, done: j.completedChunks }));
    await waitFor('completion', async () => (await statusOf(t, id!)).status === 'completed');
    await w.close();
    expect(resumedFrom).toEqual([{ attempt: 2, state: { next: 3 }, done: 3 }]);
    expect(await eventsOf(t, id!)).toEqual(['enqueued', 'running', 'lease-expired', 'running', 'completed']);
    const expired = await t.db.jobEvent.findFirstOrThrow({ where: { jobId: id!, event: 'lease-expired' } });
    expect(expired.details).toMatchObject({ from: 'running', to: 'retrying', worker: 'w-dead', retryCount: 1 });
  });

  it('recovers a dead worker\'s job while every slot of the live worker is busy: recovery does not wait for a claim', async () => {
    const [orphan] = await enqueue(t, 1, { label: 'orphan-busy' });
    await claimJobs(c.pool, { workerId: 'w-dead', limit: 1, leaseMs: 300 });
    const [long] = await enqueue(t, 1, { label: 'long-busy' });
    // The live worker's only slot stays busy until the orphan has been handed back (or the test gives up).
    const w = await startTestWorker(t, async (job) => {
      if (job.id !== long) return;
      await waitFor('the orphan to be recovered', async () => (await statusOf(t, orphan!)).status !== 'running', 15_000).catch(() => {});
    });
    await waitFor('both completed', async () => (await statusOf(t, orphan!)).status === 'completed' && (await statusOf(t, long!)).status === 'completed', 30_000);
    await w.close();
    const events = await t.db.jobEvent.findMany({ where: { jobId: { in: [orphan!, long!] } }, orderBy: { createdAt: 'asc' } });
    const expired = events.find((e) => e.jobId === orphan && e.event === 'lease-expired');
    const longDone = events.find((e) => e.jobId === long && e.event === 'completed');
    expect(expired?.details).toMatchObject({ from: 'running', to: 'retrying', worker: 'w-dead', recoveredBy: w.worker.id });
    // Handed back while the live worker's slot was still running the long job.
    expect(expired!.createdAt.getTime()).toBeLessThan(longDone!.createdAt.getTime());
  });

  it('fails a job whose lease expired on its last allowed attempt, saying why', async () => {
    const [id] = await enqueue(t, 1, { label: 'last-try', maxRetries: 0 });
    await claimJobs(c.pool, { workerId: 'w-dead', limit: 1, leaseMs: 200 });
    const w = await startTestWorker(t, async () => {});
    const job = await waitFor('failure', async () => {
      const j = await statusOf(t, id!);
      return j.status === 'failed' ? j : null;
    });
    await w.close();
    expect(job.failureReason).toMatch(/stopped renewing the lease .* last allowed attempt/);
    expect(job.lastError).toMatch(/w-dead/);
  });

  it('keeps a long job alive with heartbeats well past its lease', async () => {
    const [id] = await enqueue(t, 1, { label: 'long' });
    const w = await startTestWorker(t, (_job, ctx) => new Promise((resolve) => setTimeout(resolve, 4_500)).then(() => ctx.event('repaired')), { leaseMs: 2_000 });
    await waitFor('completion', async () => (await statusOf(t, id!)).status === 'completed', 30_000);
    await w.close();
    expect(await eventsOf(t, id!)).toEqual(['enqueued', 'running', 'repaired', 'completed']);
  });
});
