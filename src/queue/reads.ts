import type { Db } from '../db/client.js';
import type { SqlClient } from '../db/pool.js';
import { UserError } from '../errors.js';
import type { JobDetail, JobEventRow, JobSummary } from './jobs.js';
import { JOB_STATUSES, type JobStatus } from './states.js';

// Reads of the queue, as plain SQL so `status` can answer through pg without starting Prisma. Each takes a
// pg pool/client or the Prisma client (for commands that already have one open).

type Reader = SqlClient | Db;

async function rows<T>(client: Reader, text: string, params: unknown[] = []): Promise<T[]> {
  if ('$queryRawUnsafe' in client) return client.$queryRawUnsafe<T[]>(text, ...params);
  return (await client.query(text, params)).rows as T[];
}

// Every column but the text (which may be megabytes) and the checkpoint payloads.
const SUMMARY_COLUMNS = `id, status::text AS status, priority, filename, progress, "retryCount", "maxRetries",
  "completedChunks", "totalChunks", "lastError", "failureReason", "workerId", "playbookId", "createdAt",
  "startedAt", "completedAt", "updatedAt", "runAfter", "lockExpiry", "inputTokens", "outputTokens", "costUsd"`;

/** Resolves a full id or a unique prefix of one (as `status` prints them) to the full id. */
export async function resolveJobId(client: Reader, idOrPrefix: string): Promise<string> {
  const wanted = idOrPrefix.trim().toLowerCase();
  if (!/^[0-9a-f-]{4,36}$/.test(wanted)) {
    throw new UserError(`"${idOrPrefix}" is not a job id.`, 'Job ids are shown by `playbuddy status`; 4 characters or more of one are enough.');
  }
  // A whole id is a primary-key lookup; a prefix scans the ids (the default collation keeps the index out of
  // LIKE), which stays in the tens of milliseconds at 100,000 jobs.
  const found =
    wanted.length === 36
      ? await rows<{ id: string }>(client, `SELECT id FROM "ParseJob" WHERE id = $1`, [wanted])
      : await rows<{ id: string }>(client, `SELECT id FROM "ParseJob" WHERE id LIKE $1 || '%' LIMIT 2`, [wanted]);
  if (found.length === 0) throw new UserError(`No job has an id starting with ${wanted}.`, 'List jobs with `playbuddy status`.');
  if (found.length > 1) throw new UserError(`More than one job has an id starting with ${wanted}.`, 'Type more characters of the id.');
  return found[0]!.id;
}

export async function getJob(client: Reader, idOrPrefix: string): Promise<JobDetail> {
  const id = await resolveJobId(client, idOrPrefix);
  const [job] = await rows<JobDetail>(
    client,
    `SELECT ${SUMMARY_COLUMNS}, config, "contentHash", "lockedAt", "legacySessionId", "replacesPlaybookId",
            length("rawText")::int AS "textLength"
     FROM "ParseJob" WHERE id = $1`,
    [id],
  );
  if (!job) throw new UserError(`No job has the id ${id}.`, 'List jobs with `playbuddy status`.');
  return job;
}

/** Newest first; the createdAt index makes this a short index scan however long the history. */
export async function listJobs(client: Reader, filter: { statuses?: JobStatus[]; limit?: number } = {}): Promise<JobSummary[]> {
  const limit = filter.limit ?? 20;
  if (filter.statuses?.length) {
    return rows<JobSummary>(
      client,
      `SELECT ${SUMMARY_COLUMNS} FROM "ParseJob" WHERE status::text = ANY($1::text[]) ORDER BY "createdAt" DESC, id DESC LIMIT $2`,
      [filter.statuses, limit],
    );
  }
  return rows<JobSummary>(client, `SELECT ${SUMMARY_COLUMNS} FROM "ParseJob" ORDER BY "createdAt" DESC, id DESC LIMIT $1`, [limit]);
}

/** Counts per status, every status present (zero when none). */
export async function countByStatus(client: Reader): Promise<Record<JobStatus, number>> {
  // Answered from the status-leading indexes; ~15 ms at 100,000 jobs.
  const found = await rows<{ status: JobStatus; n: number }>(client, `SELECT status::text AS status, count(*)::int AS n FROM "ParseJob" GROUP BY status`);
  const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
  for (const r of found) counts[r.status] = r.n;
  return counts;
}

export async function jobEvents(client: Reader, jobId: string, limit = 200): Promise<JobEventRow[]> {
  // The newest `limit` events through the (jobId, createdAt) index, returned oldest first.
  return rows<JobEventRow>(
    client,
    `SELECT * FROM (SELECT id, event, details, "createdAt" FROM "JobEvent" WHERE "jobId" = $1 ORDER BY "createdAt" DESC LIMIT $2) e
     ORDER BY "createdAt"`,
    [jobId, limit],
  );
}

// A worker that missed this many heartbeats is presumed dead (it renews every few seconds).
const WORKER_ALIVE_MS = 30_000;

export interface LiveWorker {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  startedAt: Date;
  lastHeartbeat: Date;
  running: number;
}

export async function liveWorkers(client: Reader): Promise<LiveWorker[]> {
  return rows<LiveWorker>(
    client,
    `SELECT w.id, w.host, w.pid, w.concurrency, w."startedAt", w."lastHeartbeat",
            (SELECT count(*)::int FROM "ParseJob" j WHERE j."workerId" = w.id AND j.status = 'running') AS running
     FROM "Worker" w
     WHERE w."stoppedAt" IS NULL AND w."lastHeartbeat" >= (now() AT TIME ZONE 'UTC') - $1::int * interval '1 millisecond'
     ORDER BY w."startedAt"`,
    [WORKER_ALIVE_MS],
  );
}
