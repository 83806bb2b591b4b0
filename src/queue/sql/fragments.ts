import { LIVE, sqlStatuses } from '../states.js';

// SQL pieces that several statements share, named once so the same rule cannot drift between copies.

/** Every transition out of `running` drops the lease; a worker that held it then matches no fenced write. */
export const LEASE_CLEARED = `"workerId" = NULL, "lockedAt" = NULL, "lockExpiry" = NULL, "leaseToken" = NULL`;

/**
 * The fencing predicate: the row is still the lease holder's. The token is fresh per claim and cleared by
 * every transition out of `running`, so a worker that lost its lease changes nothing.
 */
export function holdsLease(idParam: string, tokenParam: string, alias = ''): string {
  const a = alias ? `${alias}.` : '';
  return `${a}id = ${idParam} AND ${a}"leaseToken" = ${tokenParam} AND ${a}status = 'running'`;
}

/**
 * A JobEvent insert fed by a SELECT: events are written in the statement that makes the change, so the
 * audit trail costs no extra round trip and commits with it. `clock_timestamp()`, not `now()`: events written
 * in one transaction keep their order. `id`: where the event ids come from, when not drawn here.
 */
export function insertEvents(jobId: string, event: string, details: string, from: string, id = 'gen_random_uuid()::text'): string {
  return `INSERT INTO "JobEvent" (id, "jobId", event, details, "createdAt")
  SELECT ${id}, ${jobId}, ${event}, ${details}, clock_timestamp()
  FROM ${from}`;
}

/**
 * What a failed attempt does to the row `j`: while `retryable` holds it uses an attempt and waits `delay`
 * (`retrying`), otherwise it is `failed` with `reasonIfFailed`. Decided from the row, so a concurrent change
 * of maxRetries is honoured. Used by a worker's failure and by lease recovery. A job that
 * fails for good has finished: it gets its completedAt like every job that reaches an end (FINISHED).
 */
export function retryDecision(retryable: string, delay: string, reasonIfFailed: string): string {
  return `status = (CASE WHEN ${retryable} THEN 'retrying' ELSE 'failed' END)::"JobStatus",
    "retryCount" = CASE WHEN ${retryable} THEN j."retryCount" + 1 ELSE j."retryCount" END,
    "runAfter" = CASE WHEN ${retryable} THEN now() + ${delay} ELSE j."runAfter" END,
    "failureReason" = CASE WHEN ${retryable} THEN NULL ELSE ${reasonIfFailed} END,
    "completedAt" = CASE WHEN ${retryable} THEN j."completedAt" ELSE clock_timestamp() END`;
}

/** Retries are left on the row `j`. */
export const RETRIES_LEFT = `j."retryCount" < j."maxRetries"`;

/** A duration parameter in milliseconds as an interval. */
export const millis = (param: string) => `${param}::float8 * interval '1 millisecond'`;

/** Every column of a job but the text (which may be megabytes) and the checkpoint payloads: a JobSummary. */
export const SUMMARY_COLUMNS = `id, status::text AS status, priority, filename, progress, stage, "retryCount", "maxRetries",
  "completedChunks", "totalChunks", "lastError", "failureReason", "workerId", "playbookId", "createdAt",
  "startedAt", "completedAt", "updatedAt", "runAfter", "lockExpiry", "inputTokens", "outputTokens", "costUsd"`;

/** A job id or a prefix of one, as `status` prints them: what the CLI accepts wherever it names a job. */
export const ID_PREFIX = /^[0-9a-f-]{4,36}$/;

/**
 * Jobs whose id is `param` or starts with it. A whole id is a primary-key lookup; a prefix scans the ids (the
 * default collation keeps the index out of LIKE), which stays in the tens of milliseconds at 100,000 jobs.
 */
export function idMatches(param: string, whole: boolean): string {
  return whole ? `id = ${param}` : `id LIKE ${param} || '%'`;
}

// ---------------------------------------------------------------------------------------------------------
// The duplicate rule. A job is a duplicate of another when both have the same text (contentHash: line endings
// do not matter) and the same parse settings (parser, provider, model, chunk size), and the other one still
// holds the text: it is queued, running, retrying or paused, or it completed and its play is still stored.
// Enqueue, retry (and retry --all-failed), migrate-sessions and enqueue --replace all decide with these
// fragments, under DEDUP_LOCK; only --force makes a second play of one text with the same settings.
// ---------------------------------------------------------------------------------------------------------

/**
 * The parse settings of a job's config (jsonb) as one comparable text. A config without them (a migrated
 * session's) is parsed with the defaults, which are spelt out here so it compares equal to an explicit one.
 */
export function parseSettings(config: string): string {
  return `concat_ws(' ', coalesce(${config}->>'parser', 'rules'), coalesce(${config}->>'provider', '-'),
    coalesce(${config}->>'model', '-'), coalesce(${config}->>'chunkSize', '12000'))`;
}

/** The job (row alias) still holds its text: it will store a play, or its play is stored. */
export function holdsText(job: string): string {
  return `(${job}.status IN (${sqlStatuses(LIVE)})
    OR (${job}.status = 'completed' AND EXISTS (SELECT 1 FROM "Playbook" stored WHERE stored.id = ${job}."playbookId")))`;
}

/** The job (row alias) is one a new job of this text and these settings would duplicate. */
export function duplicateOf(job: string, hash: string, settings: string): string {
  return `${job}."contentHash" = ${hash} AND ${parseSettings(`${job}.config`)} = ${settings} AND ${holdsText(job)}`;
}

/**
 * Serialises every change the duplicate rule decides (enqueue, retry, migrate-sessions), so two of them at
 * once cannot both see "no duplicate" and both go ahead. One lock for all texts: a per-hash lock would take a
 * lock-table slot per job of a 10,000-file import. Taken first in the deciding transaction.
 */
// (Selecting a constant: Prisma cannot read the void the lock function returns.)
export const DEDUP_LOCK = `SELECT 1 FROM pg_advisory_xact_lock(${0x656e71})`;
