import { describe, expect, it } from 'vitest';
import { migrateSessions } from '../../src/legacy/migrate.js';
import { claimJobs, recoverExpiredLeases } from '../../src/queue/claim.js';
import { controlJobs } from '../../src/queue/control.js';
import { JOB_EVENTS, PROGRESS_EVENTS } from '../../src/queue/events.js';
import { completeJob, failAttempt, releaseJob, type Lease } from '../../src/queue/lease.js';
import { enqueueJobs } from '../../src/queue/repository.js';
import { TRANSITIONS, type JobStatus, type Transition } from '../../src/queue/states.js';
import { testDatabase } from '../helpers/db.js';
import { insertSession } from '../migrate-sessions/sessions.js';

// The state machine of src/queue/states.ts against the statements that change a job's status. One job at a
// time is driven through every path the code has — the worker's statements (claim, completion, failure,
// lease recovery, release), the operator's commands and the two ways a job is created — and then every
// JobEvent written is checked against the declaration: each one a declared (from, to, event), and each
// declared change seen at least once, so neither side can drift from the other.

const t = testDatabase('state_machine');

const backoff = { baseMs: 1, capMs: 1 };
let n = 0;

async function enqueue(maxRetries = 3): Promise<string> {
  const [o] = await enqueueJobs(t.sql, [{ rawText: `job ${n++}`, filename: `job-${n}.txt`, config: { parser: 'rules', chunkSize: 8000 }, maxRetries }]);
  if (o?.kind !== 'enqueued') throw new Error('expected the job to be enqueued');
  return o.id;
}

/** Claims the one runnable job, which must be `id`. */
async function claim(id: string, workerId = 'worker-a'): Promise<Lease> {
  const [job, ...more] = await claimJobs(t.sql, { workerId, limit: 2, leaseMs: 60_000 });
  expect({ claimed: job?.id, more: more.length }).toEqual({ claimed: id, more: 0 });
  return { jobId: job!.id, leaseToken: job!.leaseToken };
}

async function operator(action: 'cancel' | 'pause' | 'resume' | 'retry', id: string): Promise<void> {
  const [outcome] = await controlJobs(t.sql, action, [id]);
  expect(outcome).toMatchObject({ ok: true });
}

/** Lets a lease run out, then another worker recovers the job. */
async function expireAndRecover(id: string): Promise<void> {
  await t.sql.query(`UPDATE "ParseJob" SET "lockExpiry" = now() - interval '1 second' WHERE id = $1`, [id]);
  expect(await recoverExpiredLeases(t.sql, 'worker-b', backoff)).toBe(1);
}

const key = (t: Pick<Transition, 'from' | 'to' | 'event'>) => `${t.from ?? '(new)'} → ${t.to} by ${t.event}`;

describe('the state machine', () => {
  it('is exactly what the statements do: every event written is a declared change, and every declared change happens', async () => {
    // Completed on the first attempt.
    const a = await enqueue();
    expect(await completeJob(t.sql, await claim(a), null)).toBe(true);

    // Retried after a transient failure, failed, retried by the operator, paused, resumed, released by a
    // worker shutting down, cancelled while queued, retried, paused while running, cancelled while paused.
    const b = await enqueue();
    expect(await failAttempt(t.sql, await claim(b), { message: 'flaky', transient: true, delayMs: 0 })).toMatchObject({ status: 'retrying' });
    expect(await failAttempt(t.sql, await claim(b), { message: 'broken', transient: false, delayMs: 0 })).toMatchObject({ status: 'failed' });
    await operator('retry', b);
    await operator('pause', b);
    await operator('resume', b);
    expect(await releaseJob(t.sql, await claim(b), 'shutting down')).toBe(true);
    await operator('cancel', b);
    await operator('retry', b);
    await claim(b);
    await operator('pause', b);
    await operator('cancel', b);

    // A worker that stops renewing: recovered to retrying, then, on its last attempt, to failed.
    const c = await enqueue(1);
    await claim(c);
    await expireAndRecover(c);
    await new Promise((r) => setTimeout(r, 20));
    await claim(c);
    await expireAndRecover(c);

    // Cancelled while running; paused while waiting to retry; cancelled while waiting to retry.
    const d = await enqueue();
    await claim(d);
    await operator('cancel', d);
    const e = await enqueue();
    await failAttempt(t.sql, await claim(e), { message: 'later', transient: true, delayMs: 60_000 });
    await operator('pause', e);
    await operator('cancel', e);
    const f = await enqueue();
    await failAttempt(t.sql, await claim(f), { message: 'later', transient: true, delayMs: 60_000 });
    await operator('cancel', f);

    // Created by the migration of legacy sessions, in each status an old session can map to.
    for (const status of ['pending', 'completed', 'failed', 'aborted'] as const) await insertSession(t.db, { status, filename: `legacy-${status}.txt` });
    expect(await migrateSessions(t.db, { batchSize: 10, parse: { parser: 'rules', chunkSize: 8000 } })).toMatchObject({ migrated: 4, failed: 0 });

    const { rows: events } = await t.sql.query<{ jobId: string; event: string; details: { from?: string; to?: string; status?: string } }>(
      `SELECT "jobId", event, details FROM "JobEvent" ORDER BY "createdAt", id`,
    );
    const declared = new Map(TRANSITIONS.map((tr) => [key(tr), tr]));
    const created = new Set<string>([JOB_EVENTS.enqueued, JOB_EVENTS.migrated]);
    const seen = new Set<string>();
    const undeclared: string[] = [];
    const walkedTo = new Map<string, string>();
    for (const ev of events) {
      expect(Object.values(JOB_EVENTS)).toContain(ev.event);
      if ((PROGRESS_EVENTS as readonly string[]).includes(ev.event)) continue;
      const change = { from: created.has(ev.event) ? null : ((ev.details.from ?? '?') as JobStatus), to: (ev.details.to ?? ev.details.status) as JobStatus, event: ev.event as Transition['event'] };
      if (declared.has(key(change))) seen.add(key(change));
      else undeclared.push(key(change));
      walkedTo.set(ev.jobId, change.to);
    }
    expect(undeclared).toEqual([]);
    expect([...declared.keys()].filter((k) => !seen.has(k))).toEqual([]);

    // And each job is where its events say it went.
    const { rows: jobs } = await t.sql.query<{ id: string; status: string }>(`SELECT id, status::text AS status FROM "ParseJob"`);
    expect(Object.fromEntries(jobs.map((j) => [j.id, j.status]))).toEqual(Object.fromEntries(walkedTo));
  });
});

describe('completedAt', () => {
  /** The job's status, its completedAt, and the time of the event that moved it there. */
  async function finish(id: string) {
    const { rows } = await t.sql.query<{ status: string; completedAt: Date | null; eventAt: Date }>(
      `SELECT j.status::text AS status, j."completedAt",
              (SELECT max(e."createdAt") FROM "JobEvent" e WHERE e."jobId" = j.id) AS "eventAt"
       FROM "ParseJob" j WHERE j.id = $1`,
      [id],
    );
    return rows[0]!;
  }

  it('is when a job reached any end — completed, failed (also by lease recovery) or cancelled — and only then', async () => {
    // The jobs the walk above left runnable would be claimed first.
    await t.sql.query(`DELETE FROM "ParseJob" WHERE status IN ('queued', 'retrying')`);
    const failed = await enqueue();
    await failAttempt(t.sql, await claim(failed), { message: 'flaky', transient: true, delayMs: 0 });
    expect(await finish(failed)).toMatchObject({ status: 'retrying', completedAt: null });
    await failAttempt(t.sql, await claim(failed), { message: 'broken', transient: false, delayMs: 0 });
    const f = await finish(failed);
    expect(f.status).toBe('failed');
    expect(f.completedAt).toBeInstanceOf(Date);
    expect(f.completedAt!.getTime()).toBeLessThanOrEqual(f.eventAt.getTime());
    await operator('retry', failed);
    expect(await finish(failed)).toMatchObject({ status: 'queued', completedAt: null });
    await operator('pause', failed);
    expect(await finish(failed)).toMatchObject({ status: 'paused', completedAt: null });
    await operator('cancel', failed);
    expect((await finish(failed)).completedAt).toBeInstanceOf(Date);

    const abandoned = await enqueue(0);
    await claim(abandoned);
    await expireAndRecover(abandoned);
    const a = await finish(abandoned);
    expect(a.status).toBe('failed');
    expect(a.completedAt).toBeInstanceOf(Date);
    expect(a.completedAt!.getTime()).toBeLessThanOrEqual(a.eventAt.getTime());
  });
});
