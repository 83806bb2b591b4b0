import type { Queryable } from '../../db/queryable.js';

// `playbuddy prune`: finished jobs older than a cutoff go, with their events (ParseJob's delete trigger takes
// them; the count of events is read in the same snapshot, before the trigger runs),
// a batch per statement and per transaction, so no lock is held long and workers go on claiming meanwhile.
// Plays are separate rows that jobs only point at: deleting a job never deletes a play. Old jobs are found
// by createdAt (indexed); a job finishes long after it was created only when it waited, and then the cutoff
// keeps it a little longer, never shorter.
const OLD_JOBS = `
  SELECT id FROM "ParseJob"
  WHERE status::text = ANY($1::text[]) AND "createdAt" < now() - $2::float8 * interval '1 millisecond'
    AND coalesce("completedAt", "updatedAt") < now() - $2::float8 * interval '1 millisecond'`;

const PRUNE_BATCH_SQL = `
WITH doomed AS (${OLD_JOBS} ORDER BY "createdAt" LIMIT $3 FOR UPDATE SKIP LOCKED),
jobs AS (DELETE FROM "ParseJob" WHERE id IN (SELECT id FROM doomed) RETURNING 1)
SELECT (SELECT count(*) FROM jobs)::int AS jobs,
       (SELECT count(*) FROM "JobEvent" WHERE "jobId" IN (SELECT id FROM doomed))::int AS events`;

const PRUNE_COUNT_SQL = `
WITH old AS (${OLD_JOBS})
SELECT (SELECT count(*) FROM old)::int AS jobs,
       (SELECT count(*) FROM "JobEvent" WHERE "jobId" IN (SELECT id FROM old))::int AS events`;

// Workers that stopped before the cutoff: only `status` ever read them, and only live ones.
const PRUNE_WORKERS_SQL = `
DELETE FROM "Worker" WHERE "stoppedAt" IS NOT NULL AND "stoppedAt" < (now() AT TIME ZONE 'UTC') - $1::float8 * interval '1 millisecond'`;

export interface Pruned {
  jobs: number;
  events: number;
}

export async function pruneBatch(db: Queryable, statuses: string[], olderThanMs: number, batchSize: number): Promise<Pruned> {
  return (await db.query<Pruned>({ text: PRUNE_BATCH_SQL, values: [statuses, olderThanMs, batchSize] })).rows[0]!;
}

export async function countPrunable(db: Queryable, statuses: string[], olderThanMs: number): Promise<Pruned> {
  return (await db.query<Pruned>({ text: PRUNE_COUNT_SQL, values: [statuses, olderThanMs] })).rows[0]!;
}

export async function pruneStoppedWorkers(db: Queryable, olderThanMs: number): Promise<number> {
  return (await db.query({ text: PRUNE_WORKERS_SQL, values: [olderThanMs] })).rowCount ?? 0;
}
