import type { Queryable } from '../../db/queryable.js';
import { JOBS_CHANNEL } from '../notify.js';
import type { JobStatus } from '../states.js';
import { JOB_EVENTS, sqlLiteral } from '../events.js';
import { DEDUP_LOCK, duplicateOf, insertEvents, parseSettings } from './fragments.js';
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
// that run to commit, then skips the row), so it is neither duplicated nor counted. The unique index is
// partial (only migrated jobs have a session), so ON CONFLICT names its predicate to be able to use it.
// Timestamps arrive as ISO strings ending in Z; casting them to `timestamp` keeps that UTC wall-clock time,
// as the columns hold it.
//
// The duplicate rule (fragments.ts) holds here too, for sessions that would become queued jobs: one whose
// text and settings already have a job that holds them — in the queue, or earlier in this batch — becomes a
// `cancelled` job with the reason "duplicate of <job id>" instead of a second play. Every session still gets
// its job, so the mapping stays complete and a rerun finds each session migrated.
const INSERT_JOBS_SQL = `
WITH input AS (
  SELECT t.*, s."rawText" AS raw, s."currentState" AS state, s."playbookId" AS partial, ${CONTENT_HASH_SQL} AS hash, ${parseSettings('t.cfg::jsonb')} AS settings
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::float8[],
              $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
       WITH ORDINALITY AS t(sid, status, filename, cfg, playbook, total, done, progress, lasterr, reason,
                            created, started, completed, n)
  JOIN "ParsingSession" s ON s.id = t.sid
),
fresh AS MATERIALIZED (
  SELECT gen_random_uuid()::text AS id, i.*,
         row_number() OVER (PARTITION BY i.hash, i.settings, i.status ORDER BY i.n) AS copy
  FROM input i
),
prior AS (
  SELECT DISTINCT ON (f.n) f.n, o.id
  FROM fresh f
  JOIN "ParseJob" o ON ${duplicateOf('o', 'f.hash', 'f.settings')}
  WHERE f.status = 'queued'
  ORDER BY f.n, o."createdAt" DESC
),
decided AS (
  SELECT f.*, coalesce(p.id, first.id) AS dup
  FROM fresh f
  LEFT JOIN prior p ON p.n = f.n
  LEFT JOIN fresh first ON f.status = 'queued' AND f.copy > 1 AND first.status = 'queued' AND first.copy = 1
                       AND first.hash = f.hash AND first.settings = f.settings
),
inserted AS (
  INSERT INTO "ParseJob" ("id", "status", "rawText", "filename", "config", "playbookId", "currentState",
                          "totalChunks", "completedChunks", "progress", "lastError", "failureReason",
                          "createdAt", "startedAt", "completedAt", "updatedAt", "runAfter",
                          "contentHash", "legacySessionId", "replacesPlaybookId")
  SELECT d.id, (CASE WHEN d.dup IS NULL THEN d.status ELSE 'cancelled' END)::"JobStatus", d.raw, d.filename,
         d.cfg::jsonb, d.playbook, d.state, d.total, d.done, d.progress, d.lasterr,
         CASE WHEN d.dup IS NULL THEN d.reason ELSE 'duplicate of ' || d.dup END,
         d.created::timestamp, d.started::timestamp, d.completed::timestamp,
         clock_timestamp(), clock_timestamp(), d.hash, d.sid,
         -- An interrupted session's partial play (the old app created it while parsing) is replaced by the
         -- finished one when the job stores it, unless app users have rehearsal progress on it.
         CASE WHEN d.status = 'queued' AND d.dup IS NULL THEN d.partial END
  FROM decided d
  ORDER BY d.n
  ON CONFLICT ("legacySessionId") WHERE "legacySessionId" IS NOT NULL DO NOTHING
  RETURNING "id", "legacySessionId"
)
SELECT i.id AS "jobId", i."legacySessionId" AS "sessionId", d.dup AS "duplicateOf"
FROM inserted i JOIN decided d ON d.id = i.id`;

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
  /** Set when the session's job was cancelled as a duplicate of this job. */
  duplicateOf: string | null;
}

/**
 * Inserts the jobs with their `migrated` events (naming the job a duplicate was cancelled for), and wakes idle
 * workers if any job is queued.
 */
export async function insertMigratedJobs(tx: Queryable, jobs: MigratedJobRow[]): Promise<InsertedJob[]> {
  if (jobs.length === 0) return [];
  await tx.query({ text: DEDUP_LOCK });
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
    values: [
      inserted.map((i) => i.jobId),
      inserted.map((i) => {
        const { event } = bySession.get(i.sessionId)!;
        return JSON.stringify(i.duplicateOf ? { ...event, to: 'cancelled', duplicateOf: i.duplicateOf } : event);
      }),
    ],
  });
  if (inserted.some((i) => !i.duplicateOf && bySession.get(i.sessionId)!.status === 'queued')) {
    await notify(tx, JOBS_CHANNEL);
  }
  return inserted;
}
