import { describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';
import { createPool } from '../../src/db/pool.js';
import type { Statement, TransactionPool } from '../../src/db/queryable.js';
import { enqueueJobs, getJob, listJobs, countByStatus, jobEvents, transitionJob, resolveJobId, type EnqueueOutcome } from '../../src/queue/repository.js';
import { TransitionRefused, JOB_STATUSES, canTransition } from '../../src/queue/states.js';

const t = testDatabase('repository');

/** The id an enqueue outcome gave its job; throws, saying what came instead, if it was not enqueued. */
function idOf(outcome: EnqueueOutcome | undefined): string {
  if (outcome?.kind !== 'enqueued') throw new Error(`expected an enqueued job, got ${JSON.stringify(outcome)}`);
  return outcome.id;
}

const job = (text: string, filename = 'a.txt') => ({ rawText: text, filename, config: { parser: 'rules' as const, chunkSize: 8000 } });

describe('job repository', () => {
  it('enqueues several jobs in one call, with an event each', async () => {
    const out = await enqueueJobs(t.sql, [job('one', 'one.txt'), job('two', 'two.txt')]);
    expect(out.map((o) => o.kind)).toEqual(['enqueued', 'enqueued']);
    const first = out[0]!;
    if (first.kind !== 'enqueued') throw new Error('unreachable');
    const detail = await getJob(t.sql, first.id);
    expect(detail).toMatchObject({ status: 'queued', filename: 'one.txt', priority: 0, maxRetries: 3, retryCount: 0, textLength: 3 });
    const events = await jobEvents(t.sql, first.id);
    expect(events.map((e) => e.event)).toEqual(['enqueued']);
  });

  it('skips a text that is already queued, even with other line endings, unless forced', async () => {
    const a = await enqueueJobs(t.sql, [job('line\nline\n', 'crlf-a.txt')]);
    const b = await enqueueJobs(t.sql, [job('line\r\nline\r\n', 'crlf-b.txt')]);
    expect(b[0]).toMatchObject({ kind: 'duplicate', existingStatus: 'queued', existingId: idOf(a[0]) });
    const c = await enqueueJobs(t.sql, [job('line\r\nline\r\n', 'crlf-c.txt')], { force: true });
    expect(c[0]!.kind).toBe('enqueued');
  });

  it('de-duplicates across pools, as two enqueue commands running at once would', async () => {
    const pool = createPool(t.url, { max: 1 });
    try {
      const [a, b] = await enqueueJobs(pool, [job('via pg', 'pg.txt'), job('via pg', 'pg-again.txt')]);
      expect(a).toMatchObject({ kind: 'enqueued', filename: 'pg.txt' });
      expect(b).toMatchObject({ kind: 'duplicate', existingStatus: 'queued' });
      const [c] = await enqueueJobs(t.sql, [job('via pg', 'prisma.txt')]);
      expect(c).toMatchObject({ kind: 'duplicate', existingId: idOf(a) });
      expect((await jobEvents(pool, idOf(a))).map((e) => e.event)).toEqual(['enqueued']);
    } finally {
      await pool.end();
    }
  });

  it('skips the second copy of a text within one call', async () => {
    const out = await enqueueJobs(t.sql, [job('twice', 'x.txt'), job('twice', 'y.txt')]);
    expect(out[1]).toMatchObject({ kind: 'duplicate', existingId: idOf(out[0]) });
  });

  it('in one call, tells copies apart by parse settings alone and names the job each copy duplicates', async () => {
    const [held] = await enqueueJobs(t.sql, [job('held before')]);
    const llm = { parser: 'llm', provider: 'openai', model: 'm', chunkSize: 8000 };
    const out = await enqueueJobs(t.sql, [
      job('mixed\n', 'a.txt'),
      { ...job('mixed\n', 'b.txt'), priority: 5, maxRetries: 1 }, // same settings, other options: a copy of a.txt
      { rawText: 'mixed\n', filename: 'c.txt', config: llm }, // other settings: a job of its own
      { rawText: 'mixed\r\n', filename: 'd.txt', config: { ...llm } }, // a copy of c.txt (another config object)
      job('held before', 'e.txt'),
      job('held before', 'f.txt'),
    ]);
    expect(out.map((o) => o.kind)).toEqual(['enqueued', 'duplicate', 'enqueued', 'duplicate', 'duplicate', 'duplicate']);
    expect(out[1]).toMatchObject({ existingId: idOf(out[0]), existingStatus: 'queued' });
    expect(out[3]).toMatchObject({ existingId: idOf(out[2]), existingStatus: 'queued' });
    expect(out[4]).toMatchObject({ existingId: idOf(held), existingStatus: 'queued' });
    expect(out[5]).toMatchObject({ existingId: idOf(held), existingStatus: 'queued' });
  });

  it('enqueues again a text whose earlier job failed or was cancelled', async () => {
    const [o] = await enqueueJobs(t.sql, [job('will be cancelled')]);
    if (o!.kind !== 'enqueued') throw new Error('expected enqueued');
    await transitionJob(t.sql, o!.id, 'cancelled');
    const [again] = await enqueueJobs(t.sql, [job('will be cancelled')]);
    expect(again!.kind).toBe('enqueued');
  });

  it('resolves unique id prefixes and refuses ambiguous or unknown ones', async () => {
    const [o] = await enqueueJobs(t.sql, [job('prefix test')]);
    if (o!.kind !== 'enqueued') throw new Error('expected enqueued');
    expect(await resolveJobId(t.sql, o!.id.slice(0, 8))).toBe(o!.id);
    await expect(resolveJobId(t.sql, 'ffffffff-ffff')).rejects.toThrow(/No job has an id starting with/);
    await expect(resolveJobId(t.sql, 'not an id')).rejects.toThrow(/is not a job id/);
  });

  it('lists newest first with filters, and counts every status', async () => {
    const list = await listJobs(t.sql, { limit: 3 });
    expect(list).toHaveLength(3);
    expect(list[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(list[1]!.createdAt.getTime());
    const cancelled = await listJobs(t.sql, { statuses: ['cancelled'] });
    expect(cancelled.filter((j) => j.status !== 'cancelled')).toEqual([]);
    const counts = await countByStatus(t.sql);
    expect(Object.keys(counts).sort()).toEqual([...JOB_STATUSES].sort());
    expect(counts.cancelled).toBeGreaterThanOrEqual(1);
  });
});

describe('a bulk enqueue larger than one statement', () => {
  // More jobs than one statement carries (10,000), so the call is sent as two statements in one transaction.
  const CALL = 10_001;
  const bulk = (tag: string) => Array.from({ length: CALL }, (_, i) => job(`${tag} ${i}`, `${tag}-${i}.txt`));

  it('commits every job with its one event, gives a call ascending version-4 ids, and finds copies across statements', async () => {
    const jobs = bulk('bulk');
    // The last job, sent in the second statement, copies the first.
    jobs[CALL - 1] = job('bulk 0', 'copy-of-first.txt');
    const out = await enqueueJobs(t.sql, jobs);
    const ids = out.slice(0, CALL - 1).map(idOf);
    expect(out[CALL - 1]).toMatchObject({ kind: 'duplicate', existingId: ids[0], existingStatus: 'queued', filename: 'copy-of-first.txt' });
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const { rows } = await t.sql.query(
      `SELECT count(*)::int AS jobs, count(*) FILTER (WHERE e.n = 1)::int AS with_one_event
       FROM "ParseJob" j CROSS JOIN LATERAL (SELECT count(*) AS n FROM "JobEvent" e WHERE e."jobId" = j.id AND e.event = 'enqueued') e
       WHERE j.filename LIKE 'bulk-%' OR j.filename = 'copy-of-first.txt'`,
    );
    expect(rows[0]).toEqual({ jobs: CALL - 1, with_one_event: CALL - 1 });
    // Within each statement's share the ids ascend, so its rows land next to each other in the id indexes.
    const first = ids.slice(0, 10_000);
    expect(first).toEqual([...first].sort());
  });

  it('cuts a call of large texts into statements by their size, and still finds copies across them', async () => {
    // 17 M characters each: the second text would take a statement past its 32 M, so each goes alone.
    const big = (name: string) => `${name}\n${'ACT I. A very long play. '.repeat(680_000)}`;
    let inserts = 0;
    const counting: TransactionPool = {
      query: (st) => t.sql.query(st),
      async connect() {
        const c = await t.sql.connect();
        return {
          release: (err) => c.release(err),
          query: (st: Statement) => {
            if (st.text.includes('INSERT INTO "ParseJob"')) inserts++;
            return c.query(st);
          },
        };
      },
    };
    const out = await enqueueJobs(counting, [job(big('one'), 'big-1.txt'), job(big('two'), 'big-2.txt'), job(big('one'), 'big-3.txt')]);
    expect(inserts).toBe(3);
    expect(out.map((o) => o.kind)).toEqual(['enqueued', 'enqueued', 'duplicate']);
    expect(out[2]).toMatchObject({ existingId: idOf(out[0]), existingStatus: 'queued' });
    const { rows } = await t.sql.query(`SELECT filename, length("rawText") AS chars FROM "ParseJob" WHERE filename LIKE 'big-%' ORDER BY filename`);
    expect(rows).toEqual([{ filename: 'big-1.txt', chars: big('one').length }, { filename: 'big-2.txt', chars: big('two').length }]);
  });

  it('commits nothing when the second statement fails', async () => {
    const jobs = bulk('atomic');
    jobs[CALL - 1] = job('a NUL byte \u0000 PostgreSQL refuses in text', 'refused.txt');
    await expect(enqueueJobs(t.sql, jobs)).rejects.toThrow(/0x00/);
    const { rows } = await t.sql.query(`SELECT count(*)::int AS n FROM "ParseJob" WHERE filename LIKE 'atomic-%'`);
    expect(rows[0].n).toBe(0);
  });
});

describe('job state machine', () => {
  it('allows exactly the transitions of the data model', () => {
    expect(canTransition('queued', 'running')).toBe(true);
    expect(canTransition('paused', 'queued')).toBe(true);
    expect(canTransition('failed', 'queued')).toBe(true);
    expect(canTransition('completed', 'queued')).toBe(false);
    expect(canTransition('queued', 'completed')).toBe(false);
    expect(canTransition('paused', 'running')).toBe(false);
    for (const s of JOB_STATUSES) expect(canTransition('completed', s)).toBe(false);
  });

  it('refuses an impossible transition with a clear sentence and changes nothing', async () => {
    const [o] = await enqueueJobs(t.sql, [job('refused transition')]);
    if (o!.kind !== 'enqueued') throw new Error('expected enqueued');
    const before = await getJob(t.sql, o!.id);
    await expect(transitionJob(t.sql, o!.id, 'completed')).rejects.toBeInstanceOf(TransitionRefused);
    await expect(transitionJob(t.sql, o!.id, 'completed')).rejects.toThrow(/is queued; it cannot be completed/);
    const after = await getJob(t.sql, o!.id);
    expect(after.status).toBe('queued');
    expect(after.updatedAt).toEqual(before.updatedAt);
    expect((await jobEvents(t.sql, o!.id)).map((e) => e.event)).toEqual(['enqueued']);
  });

  it('writes one event per state change, in the same transaction', async () => {
    const [o] = await enqueueJobs(t.sql, [job('event trail')]);
    if (o!.kind !== 'enqueued') throw new Error('expected enqueued');
    await transitionJob(t.sql, o!.id, 'paused');
    await transitionJob(t.sql, o!.id, 'queued');
    await transitionJob(t.sql, o!.id, 'cancelled');
    const events = await jobEvents(t.sql, o!.id);
    expect(events.map((e) => e.event)).toEqual(['enqueued', 'paused', 'resumed', 'cancelled']);
    expect(events[1]!.details).toMatchObject({ from: 'queued', to: 'paused' });
  });
});
