import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { fromDist } from './dist.mjs';

const { createPool } = await fromDist('db/pool.js');
const { enqueueJobs } = await fromDist('queue/repository.js');

export const HISTORY_BATCH = 10_000;

/**
 * Puts `count` jobs into an already migrated database the way `enqueue` does (enqueueJobs with force, in
 * batches), then ages them into a month of finished history with the audit events a finished job leaves.
 * Mix: 90 % completed, 5 % failed, 2 % cancelled, 1 % retrying, 2 % queued — or all completed with
 * `allFinished`, for a history that must not slow the queue.
 */
export async function fillHistory(url, count, { allFinished = false } = {}) {
  const db = createPool(url, { max: 2 });
  const started = performance.now();
  try {
    for (let from = 0; from < count; from += HISTORY_BATCH) {
      const jobs = Array.from({ length: Math.min(HISTORY_BATCH, count - from) }, (_, k) => {
        const i = from + k;
        return {
          rawText: `PLAY ${i}\n\nACT I\n\nHAMLET. Who's there?\n${'A line of verse. '.repeat(20)}`,
          filename: `history-${String(i).padStart(6, '0')}.txt`,
          config: { parser: 'rules', chunkSize: 12_000 },
        };
      });
      await enqueueJobs(db, jobs, { force: true });
    }
  } finally {
    await db.end();
  }
  const enqueueMs = performance.now() - started;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const mix = allFinished
      ? `'completed'`
      : `CASE WHEN r < 0.90 THEN 'completed' WHEN r < 0.95 THEN 'failed' WHEN r < 0.97 THEN 'cancelled'
              WHEN r < 0.98 THEN 'retrying' ELSE 'queued' END`;
    await c.query(`
      UPDATE "ParseJob" j SET
        "createdAt" = s.created,
        "status" = s.status::"JobStatus",
        "startedAt" = CASE WHEN s.status <> 'queued' THEN s.created + interval '2 seconds' END,
        "completedAt" = CASE WHEN s.status IN ('completed', 'failed', 'cancelled') THEN s.created + interval '40 seconds' END,
        "progress" = CASE WHEN s.status = 'completed' THEN 100 ELSE 0 END,
        "totalChunks" = CASE WHEN s.status <> 'queued' THEN 4 END,
        "completedChunks" = CASE WHEN s.status = 'completed' THEN 4 ELSE 0 END,
        "playbookId" = CASE WHEN s.status = 'completed' THEN gen_random_uuid()::text END,
        "retryCount" = CASE WHEN s.status IN ('failed', 'retrying') THEN 3 ELSE 0 END,
        "lastError" = CASE WHEN s.status IN ('failed', 'retrying') THEN 'connect ECONNREFUSED 127.0.0.1:11434' END,
        "failureReason" = CASE WHEN s.status = 'failed' THEN 'gave up after 4 attempts: connect ECONNREFUSED' END,
        "runAfter" = CASE WHEN s.status = 'retrying' THEN now() + interval '5 minutes' ELSE s.created END
      FROM (
        SELECT id, now() - interval '1 hour' - random() * interval '30 days' AS created, ${mix} AS status
        FROM (SELECT id, random() AS r FROM "ParseJob") x
      ) s
      WHERE j.id = s.id`);
    await c.query(`UPDATE "JobEvent" e SET "createdAt" = j."createdAt" FROM "ParseJob" j WHERE e."jobId" = j.id`);
    await c.query(`
      INSERT INTO "JobEvent" ("id", "jobId", "event", "details", "createdAt")
      SELECT gen_random_uuid()::text, j.id, e.event, e.details, j."startedAt" + e.after
      FROM "ParseJob" j
      CROSS JOIN LATERAL (VALUES
        ('running', '{"from":"queued","to":"running"}'::jsonb, interval '0 seconds'),
        ('checkpoint', '{"completedChunks":1,"totalChunks":4}'::jsonb, interval '10 seconds'),
        ('checkpoint', '{"completedChunks":2,"totalChunks":4}'::jsonb, interval '20 seconds'),
        (j.status::text, jsonb_build_object('from', 'running', 'to', j.status::text), interval '40 seconds')
      ) AS e(event, details, after)
      WHERE j.status <> 'queued' AND (e.event <> j.status::text OR j.status <> 'retrying')`);
    await c.query('VACUUM ANALYZE "ParseJob"');
    await c.query('VACUUM ANALYZE "JobEvent"');
    const { rows } = await c.query(`
      SELECT (SELECT count(*) FROM "ParseJob")::int AS jobs, (SELECT count(*) FROM "JobEvent")::int AS events`);
    return { enqueueMs, ...rows[0] };
  } finally {
    await c.end();
  }
}
