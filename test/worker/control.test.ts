import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimJobs } from '../../src/queue/claim.js';
import { controlJobs, failedJobIds } from '../../src/queue/control.js';
import { completeJob, failAttempt, writeCheckpoint } from '../../src/queue/lease.js';
import { openWorkerConnections, type WorkerConnections } from '../../src/worker/connections.js';
import { testDatabase } from '../helpers/db.js';
import { enqueue, eventsOf, statusOf } from './support.js';

const t = testDatabase('control');
let c: WorkerConnections;

beforeAll(async () => {
  c = openWorkerConnections(t.url, { concurrency: 1 });
});
afterAll(async () => {
  await c?.close();
});

async function claimOne(id: string) {
  const [job] = await claimJobs(c.pool, { workerId: 'w', limit: 1, leaseMs: 60_000 });
  if (job?.id !== id) throw new Error('expected to claim the job just enqueued');
  return { jobId: job.id, leaseToken: job.leaseToken };
}

describe('operator control', () => {
  it('cancels a completed job never, and says so', async () => {
    const [id] = await enqueue(t, 1, { label: 'done' });
    await completeJob(c.pool, await claimOne(id!), null);
    const [out] = await controlJobs(t.sql, 'cancel', [id!.slice(0, 8)]);
    expect(out).toMatchObject({ ok: false, id, message: `Job ${id!.slice(0, 8)} is completed; it cannot be cancelled.` });
    expect(out!.ok === false && out!.hint).toMatch(/final/);
    expect((await statusOf(t, id!)).status).toBe('completed');
  });

  it('handles each job on its own: one refusal does not undo the others', async () => {
    const [a, b] = await enqueue(t, 2, { label: 'mixed' });
    const out = await controlJobs(t.sql, 'pause', [a!, 'ffff0000', b!]);
    expect(out.map((o) => o.ok)).toEqual([true, false, true]);
    expect(out[1]).toMatchObject({ ok: false, message: 'No job has an id starting with ffff0000.' });
    expect((await statusOf(t, a!)).status).toBe('paused');
    const resumed = await controlJobs(t.sql, 'resume', [a!, b!]);
    expect(resumed).toMatchObject([
      { ok: true, from: 'paused', to: 'queued' },
      { ok: true, from: 'paused', to: 'queued' },
    ]);
    expect((await controlJobs(t.sql, 'cancel', [a!, b!])).filter((o) => !o.ok)).toEqual([]);
  });

  it('points resume and retry at each other instead of doing the wrong thing', async () => {
    const [paused, failed] = await enqueue(t, 2, { label: 'which' });
    await controlJobs(t.sql, 'pause', [paused!]);
    await failAttempt(c.pool, await claimOne(failed!), { message: 'bad input', transient: false, delayMs: 0 });
    const [r1] = await controlJobs(t.sql, 'retry', [paused!]);
    expect(r1).toMatchObject({ ok: false, hint: expect.stringMatching(/playbuddy resume/) });
    const [r2] = await controlJobs(t.sql, 'resume', [failed!]);
    expect(r2).toMatchObject({ ok: false, hint: expect.stringMatching(/playbuddy retry/) });
    expect((await statusOf(t, paused!)).status).toBe('paused');
    expect((await statusOf(t, failed!)).status).toBe('failed');
  });

  it('retries a failed job as a new attempt from its checkpoint, or from scratch', async () => {
    const [keep, scratch] = await enqueue(t, 2, { label: 'retry', maxRetries: 0 });
    for (const id of [keep!, scratch!]) {
      const lease = await claimOne(id);
      await writeCheckpoint(c.pool, lease, { state: { next: 2 }, completedChunks: 2, totalChunks: 4, progress: 50, entry: {} }, 60_000);
      await failAttempt(c.pool, lease, { message: 'provider down', transient: true, delayMs: 0 });
    }
    expect(await statusOf(t, keep!)).toMatchObject({ status: 'failed', failureReason: 'Gave up after 1 attempt: provider down' });
    expect(await failedJobIds(t.sql)).toEqual(expect.arrayContaining([keep!, scratch!]));
    await controlJobs(t.sql, 'retry', [keep!]);
    await controlJobs(t.sql, 'retry', [scratch!], { fromScratch: true });
    expect(await statusOf(t, keep!)).toMatchObject({ status: 'queued', retryCount: 0, failureReason: null, completedChunks: 2, currentState: { next: 2 } });
    expect(await statusOf(t, scratch!)).toMatchObject({ status: 'queued', completedChunks: 0, currentState: null, checkpoints: [], progress: 0 });
    expect(await eventsOf(t, keep!)).toEqual(['enqueued', 'running', 'failed', 'retried']);
    await controlJobs(t.sql, 'cancel', [keep!, scratch!]);
  });

  it('cancels a running job, dropping its lease', async () => {
    const [id] = await enqueue(t, 1, { label: 'running' });
    await claimOne(id!);
    const [out] = await controlJobs(t.sql, 'cancel', [id!]);
    expect(out).toMatchObject({ ok: true, from: 'running', to: 'cancelled', note: 'its worker stops it now' });
    expect(await statusOf(t, id!)).toMatchObject({ status: 'cancelled', workerId: null, leaseToken: null, lockExpiry: null });
  });
});
