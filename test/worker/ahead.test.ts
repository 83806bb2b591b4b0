import { describe, expect, it } from 'vitest';
import { controlJobs } from '../../src/queue/control.js';
import { testDatabase } from '../helpers/db.js';
import { enqueue, eventsOf, startTestWorker, statusOf, waitFor } from './support.js';

// Jobs claimed ahead (src/worker/ahead.ts): once a worker's jobs prove shorter than a round trip, each slot
// gets one more job claimed and leased ahead of time. Such a job is the worker's like a running one — an
// operator's cancel reaches it, a stopping worker hands it back — and it never runs twice.

const t = testDatabase('ahead');

/** A handler that records what it starts and holds the `nth` job it starts until `open` is called. */
function gated(nth: number) {
  const started: string[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  return {
    started,
    open: () => open(),
    handler: async (job: { id: string }) => {
      started.push(job.id);
      if (started.length === nth) await gate;
    },
  };
}

/** The job leased to a worker (running) that its handler has not started: the one claimed ahead. */
async function claimedAhead(ids: string[], started: string[]): Promise<string | false> {
  for (const id of ids) if (!started.includes(id) && (await statusOf(t, id)).status === 'running') return id;
  return false;
}

/** A one-slot worker whose `nth` job blocks once `count` jobs are queued, and the job it has claimed ahead by then. */
async function blockedWithOneAhead(count: number, nth: number, label: string) {
  const ids = await enqueue(t, count, { label });
  const h = gated(nth);
  const w = await startTestWorker(t, h.handler, { concurrency: 1 });
  await waitFor('the blocking job to start', async () => h.started.length === nth);
  // The one slot is busy; the next job is already claimed for it.
  const next = await waitFor('a job claimed ahead', () => claimedAhead(ids, h.started));
  return { ids, h, w, next };
}

describe('jobs claimed ahead', () => {
  it('are leased to the worker while a short-jobs slot is busy, and one cancelled meanwhile never completes', async () => {
    const { ids, h, w, next } = await blockedWithOneAhead(25, 21, 'ahead');
    expect(await controlJobs(t.sql, 'cancel', [next])).toMatchObject([{ ok: true }]);
    h.open();
    await waitFor('every other job completed', async () => {
      for (const id of ids) if (id !== next && (await statusOf(t, id)).status !== 'completed') return false;
      return true;
    });
    await w.close();
    expect((await statusOf(t, next)).status).toBe('cancelled');
    expect(await eventsOf(t, next)).toEqual(['enqueued', 'running', 'cancelled']);
    for (const id of ids.filter((i) => i !== next)) expect(await eventsOf(t, id), id).toEqual(['enqueued', 'running', 'completed']);
    // Every other job started exactly once.
    expect(h.started.filter((id) => id !== next).sort()).toEqual(ids.filter((id) => id !== next).sort());
  });

  it('are handed back to the queue when the worker stops, and run once by the next worker', async () => {
    const { ids, h, w, next } = await blockedWithOneAhead(12, 9, 'handback');
    const stopping = w.close(5_000);
    await waitFor('the job claimed ahead handed back', async () => (await statusOf(t, next)).status === 'queued');
    h.open();
    const summary = await stopping;
    expect(summary.released).toBeGreaterThanOrEqual(1);
    expect(h.started).not.toContain(next);
    expect(await eventsOf(t, next)).toEqual(['enqueued', 'running', 'released']);

    const again = gated(0);
    const w2 = await startTestWorker(t, again.handler, { concurrency: 2 });
    await waitFor('the rest completed', async () => {
      for (const id of ids) if ((await statusOf(t, id)).status !== 'completed') return false;
      return true;
    });
    await w2.close();
    // Each job ran once in all: the first worker's and the second's starts never overlap.
    expect([...h.started, ...again.started].sort()).toEqual([...ids].sort());
  });
});
