import type { Queryable } from '../../db/queryable.js';
import { JOBS_CHANNEL } from '../notify.js';
import type { JobStatus } from '../states.js';
import { JOB_EVENTS, sqlLiteral } from '../events.js';
import { insertEvents } from './fragments.js';
import { notify } from './notify.js';

// `migrate-sessions` writing one batch of jobs made from legacy ParsingSession rows. The text and the saved
// context are copied by the database from the session row (INSERT … SELECT … JOIN "ParsingSession"), so
// megabytes of play never travel to the CLI and back; everything decided per session arrives as arrays, one
// statement for all jobs and one for their events. Run inside the caller's transaction (the batch commits
// or rolls back whole).

// src/queue/hash.ts contentHash() in SQL, over the session row `s` of the insert: SHA-256 of the UTF-8 text
// with CRLF and lone CR turned into LF. A test holds the two to the same digests, so migrated and enqueued
// copies of a play de-duplicate together.
const CONTENT_HASH_SQL = `encode(sha256(convert_to(replace(replace(s."rawText", chr(13) || chr(10), chr(10)), chr(13), chr(10)), 'UTF8')), 'hex')`;

// A session another run migrated meanwhile is left out by the unique `legacySessionId` (the insert waits for
// that run to commit, then skips the row), so it is neither duplicated nor counted. Timestamps arrive as ISO
// strings ending in Z; casting them to `timestamp` keeps that UTC wall-clock time, as the columns hold it.
const INSERT_JOBS_SQL = `
INSERT INTO "ParseJob" ("id", "status", "rawText", "filename", "config", "playbookId", "currentState",
                        "totalChunks", "completedChunks", "progress", "lastError", "failureReason",
                        "createdAt", "startedAt", "completedAt", "updatedAt", "runAfter",
                        "contentHash", "legacySessionId", "replacesPlaybookId")
SELECT gen_random_uuid()::text, t.status::"JobStatus", s."rawText", t.filename, t.cfg::jsonb, t.playbook,
       s."currentState", t.total, t.done, t.progress, t.lasterr, t.reason,
       t.created::timestamp, t.started::timestamp, t.completed::timestamp,
       clock_timestamp(), clock_timestamp(), ${CONTENT_HASH_SQL}, s.id,
       -- An interrupted session's partial play (the old app created it while parsing) is replaced by the
       -- finished one when the job stores it, unless app users have rehearsal progress on it.
       CASE WHEN t.status = 'queued' THEN s."playbookId" END
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::float8[],
            $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
     WITH ORDINALITY AS t(sid, status, filename, cfg, playbook, total, done, progress, lasterr, reason,
                          created, started, completed, n)
JOIN "ParsingSession" s ON s.id = t.sid
ORDER BY t.n
ON CONFLICT ("legacySessionId") DO NOTHING
RETURNING "id" AS "jobId", "legacySessionId" AS "sessionId"`;

const INSERT_EVENTS_SQL = `
${insertEvents('e.job', sqlLiteral(JOB_EVENTS.migrated), 'e.details::jsonb', 'unnest($1::text[], $2::text[]) AS e(job, details)')}
RETURNING "jobId"`;

export interface MigratedJobRow {
  sessionId: string;
  status: JobStatus;
  filename: string;
  config: object;
  playbookId: string | null;
  totalChunks: number | null;
  completedChunks: number;
  progress: number;
  lastError: string | null;
  failureReason: string | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  /** The `migrated` event's details. */
  event: Record<string, unknown>;
}

export interface InsertedJob {
  jobId: string;
  sessionId: string;
}

/** Inserts the jobs with their `migrated` events, and wakes idle workers if any job is queued. */
export async function insertMigratedJobs(tx: Queryable, jobs: MigratedJobRow[]): Promise<InsertedJob[]> {
  if (jobs.length === 0) return [];
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  const { rows: inserted } = await tx.query<InsertedJob>({
    text: INSERT_JOBS_SQL,
    values: [
      jobs.map((j) => j.sessionId),
      jobs.map((j) => j.status),
      jobs.map((j) => j.filename),
      jobs.map((j) => JSON.stringify(j.config)),
      jobs.map((j) => j.playbookId),
      jobs.map((j) => j.totalChunks),
      jobs.map((j) => j.completedChunks),
      jobs.map((j) => j.progress),
      jobs.map((j) => j.lastError),
      jobs.map((j) => j.failureReason),
      jobs.map((j) => iso(j.createdAt)),
      jobs.map((j) => iso(j.startedAt)),
      jobs.map((j) => iso(j.completedAt)),
    ],
  });
  if (inserted.length === 0) return inserted;
  const bySession = new Map(jobs.map((j) => [j.sessionId, j]));
  await tx.query({
    text: INSERT_EVENTS_SQL,
    values: [inserted.map((i) => i.jobId), inserted.map((i) => JSON.stringify(bySession.get(i.sessionId)!.event))],
  });
  if (inserted.some((i) => bySession.get(i.sessionId)!.status === 'queued')) {
    await notify(tx, JOBS_CHANNEL);
  }
  return inserted;
}
