import { Prisma, type Db } from '../db/client.js';
import { JOBS_CHANNEL } from '../queue/notify.js';
import type { MigratedJob } from './plan.js';

// Writing one batch of migrated jobs. The text and the saved context are copied by the database from the
// session row (INSERT … SELECT … JOIN "ParsingSession"), so megabytes of play never travel to the CLI and
// back; everything decided per session arrives as arrays, one statement for all jobs and one for their events.

// Copying a batch of 5 MB plays takes far longer than Prisma's default 5 s for an interactive transaction.
const BATCH_TIMEOUT_MS = 15 * 60_000;

// src/queue/hash.ts contentHash() in SQL, over the session row `s` of the insert: SHA-256 of the UTF-8 text
// with CRLF and lone CR turned into LF. A test holds the two to the same digests, so migrated and enqueued
// copies of a play de-duplicate together.
const CONTENT_HASH_SQL = Prisma.raw(`encode(sha256(convert_to(replace(replace(s."rawText", chr(13) || chr(10), chr(10)), chr(13), chr(10)), 'UTF8')), 'hex')`);

export interface InsertedJob {
  jobId: string;
  sessionId: string;
}

/**
 * Inserts the batch's jobs with their `migrated` events in one transaction, and wakes idle workers if any
 * job is queued. A session another run migrated meanwhile is left out by the unique `legacySessionId`
 * (the insert waits for that run to commit, then skips the row), so it is neither duplicated nor counted.
 */
export async function insertMigratedJobs(db: Db, jobs: MigratedJob[]): Promise<InsertedJob[]> {
  if (jobs.length === 0) return [];
  return db.$transaction(
    async (tx) => {
      // Prisma keeps DateTime as UTC wall-clock time in `timestamp` columns; casting an ISO string ending
      // in Z to `timestamp` keeps exactly that wall-clock time.
      const iso = (d: Date | null) => d?.toISOString() ?? null;
      const inserted = await tx.$queryRaw<InsertedJob[]>`
        INSERT INTO "ParseJob" ("id", "status", "rawText", "filename", "config", "playbookId", "currentState",
                                "totalChunks", "completedChunks", "progress", "lastError", "failureReason",
                                "createdAt", "startedAt", "completedAt", "updatedAt", "runAfter",
                                "contentHash", "legacySessionId")
        SELECT gen_random_uuid()::text, t.status::"JobStatus", s."rawText", t.filename, t.cfg::jsonb, t.playbook,
               s."currentState", t.total, t.done, t.progress, t.lasterr, t.reason,
               t.created::timestamp, t.started::timestamp, t.completed::timestamp,
               clock_timestamp(), clock_timestamp(), ${CONTENT_HASH_SQL}, s.id
        FROM unnest(${jobs.map((j) => j.sessionId)}::text[], ${jobs.map((j) => j.status)}::text[],
                    ${jobs.map((j) => j.filename)}::text[], ${jobs.map((j) => JSON.stringify(j.config))}::text[],
                    ${jobs.map((j) => j.playbookId)}::text[], ${jobs.map((j) => j.totalChunks)}::int[],
                    ${jobs.map((j) => j.completedChunks)}::int[], ${jobs.map((j) => j.progress)}::float8[],
                    ${jobs.map((j) => j.lastError)}::text[], ${jobs.map((j) => j.failureReason)}::text[],
                    ${jobs.map((j) => iso(j.createdAt))}::text[], ${jobs.map((j) => iso(j.startedAt))}::text[],
                    ${jobs.map((j) => iso(j.completedAt))}::text[])
             WITH ORDINALITY AS t(sid, status, filename, cfg, playbook, total, done, progress, lasterr, reason,
                                  created, started, completed, n)
        JOIN "ParsingSession" s ON s.id = t.sid
        ORDER BY t.n
        ON CONFLICT ("legacySessionId") DO NOTHING
        RETURNING "id" AS "jobId", "legacySessionId" AS "sessionId"`;
      if (inserted.length === 0) return inserted;

      const bySession = new Map(jobs.map((j) => [j.sessionId, j]));
      const details = inserted.map(({ sessionId }) => {
        const j = bySession.get(sessionId)!;
        return JSON.stringify({
          sessionId,
          from: j.from,
          to: j.status,
          context: j.context,
          legacyPlaybookId: j.legacyPlaybookId,
        });
      });
      await tx.$executeRaw`
        INSERT INTO "JobEvent" ("id", "jobId", "event", "details", "createdAt")
        SELECT gen_random_uuid()::text, e.job, 'migrated', e.details::jsonb, clock_timestamp()
        FROM unnest(${inserted.map((i) => i.jobId)}::text[], ${details}::text[]) AS e(job, details)`;
      if (inserted.some((i) => bySession.get(i.sessionId)!.status === 'queued')) {
        await tx.$executeRaw`SELECT pg_notify(${JOBS_CHANNEL}, '')`;
      }
      return inserted;
    },
    { timeout: BATCH_TIMEOUT_MS, maxWait: 30_000 },
  );
}

/**
 * Deletes those of `sessionIds` whose job exists, checked in the deleting statement itself: a session goes
 * only once its job row is committed and visible, never on the strength of what this process believes.
 */
export async function deleteMigratedSessions(db: Db, sessionIds: string[]): Promise<number> {
  if (sessionIds.length === 0) return 0;
  return db.$executeRaw`
    DELETE FROM "ParsingSession" s
    WHERE s.id = ANY(${sessionIds}::text[])
      AND EXISTS (SELECT 1 FROM "ParseJob" j WHERE j."legacySessionId" = s.id)`;
}
