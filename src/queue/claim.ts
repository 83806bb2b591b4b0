import type pg from 'pg';
import type { ClaimedJob } from '../worker/handler.js';
import type { JobConfig } from './jobs.js';
import { sqlRetryDelay, type BackoffPolicy } from './backoff.js';
import { COMPLETE_CTES, completeJob, type Lease } from './lease.js';

// Claiming: the one statement every worker runs to take work. It runs in autocommit (a single statement is
// its own transaction), so a claim costs one round trip however many jobs it takes.

/** At most this many expired leases are recovered per claim, so one claim never turns into a long sweep. */
const RECOVER_PER_CLAIM = 50;

// Why it is shaped this way:
// - `recovered`: jobs still `running` whose lease expired belong to a worker that died or was cut off. They
//   use an attempt: `retrying` with backoff, or `failed` when no retries are left, with their JobEvent. It
//   walks the (status, lockExpiry) index; SKIP LOCKED so two claimers never block on the same dead job.
//   Claiming them in the same statement means recovery needs no sweeper process: any live worker with a free
//   slot does it, so recovery is bounded by the lease plus one claim.
// - `picked`: runnable jobs in priority-then-age order, not before their not-before time. The partial index
//   ParseJob_claim_idx (priority DESC, createdAt) WHERE status IN ('queued','retrying') yields rows already in
//   that order, so the scan stops after `limit` rows instead of sorting the backlog. FOR UPDATE SKIP LOCKED:
//   concurrent claimers pass over each other's rows instead of waiting, and a row changed since our snapshot
//   is re-checked against the WHERE before we lock it, so a job is handed to exactly one worker.
// - The recovered rows were `running` in this statement's snapshot, so `picked` never sees them (a row is
//   never updated twice in one statement); they are claimed by a later claim once their backoff passes.
// - Each claim writes its JobEvent in the same statement: the audit trail costs no extra round trip.
// - `now()` is the statement's start time, the same in every CTE; the session runs in UTC (see
//   src/worker/connections.ts) because the timestamp columns hold UTC without a zone.
interface ClaimParams {
  worker: string;
  limit: string;
  lease: string;
  base: string;
  cap: string;
}

function claimCtes(p: ClaimParams): string {
  return `
expired AS (
  SELECT id, "workerId" AS "oldWorker"
  FROM "ParseJob"
  WHERE status = 'running' AND "lockExpiry" < now()
  ORDER BY "lockExpiry"
  LIMIT ${RECOVER_PER_CLAIM}
  FOR UPDATE SKIP LOCKED
),
recovered AS (
  UPDATE "ParseJob" j SET
    status = (CASE WHEN j."retryCount" < j."maxRetries" THEN 'retrying' ELSE 'failed' END)::"JobStatus",
    "retryCount" = CASE WHEN j."retryCount" < j."maxRetries" THEN j."retryCount" + 1 ELSE j."retryCount" END,
    "runAfter" = CASE WHEN j."retryCount" < j."maxRetries"
                      THEN now() + ${sqlRetryDelay('j."retryCount"', p.base, p.cap)} ELSE j."runAfter" END,
    "lastError" = 'Its worker ' || coalesce(e."oldWorker", '?') || ' stopped renewing the lease (killed, crashed or cut off).',
    "failureReason" = CASE WHEN j."retryCount" < j."maxRetries" THEN NULL
                      ELSE 'Its worker stopped renewing the lease (killed, crashed or cut off) on the last allowed attempt; '
                           || 'if the job itself kills the worker (e.g. out of memory), fix that, then run playbuddy retry.' END,
    "workerId" = NULL, "lockedAt" = NULL, "lockExpiry" = NULL, "leaseToken" = NULL,
    "updatedAt" = now()
  FROM expired e
  WHERE j.id = e.id
  RETURNING j.id, j.status, j."retryCount", j."runAfter", e."oldWorker"
),
recovered_events AS (
  INSERT INTO "JobEvent" (id, "jobId", event, details, "createdAt")
  SELECT gen_random_uuid()::text, r.id, 'lease-expired',
         jsonb_build_object('from', 'running', 'to', r.status, 'worker', r."oldWorker", 'retryCount', r."retryCount",
                            'runAfter', r."runAfter", 'recoveredBy', ${p.worker}::text),
         clock_timestamp()
  FROM recovered r
),
picked AS (
  SELECT id, status AS "fromStatus"
  FROM "ParseJob"
  WHERE status IN ('queued', 'retrying') AND "runAfter" <= now()
  ORDER BY priority DESC, "createdAt"
  LIMIT ${p.limit}::int
  FOR UPDATE SKIP LOCKED
),
claimed AS (
  UPDATE "ParseJob" j SET
    status = 'running', "workerId" = ${p.worker}::text, "leaseToken" = gen_random_uuid()::text,
    "lockedAt" = now(), "lockExpiry" = now() + ${p.lease}::float8 * interval '1 millisecond',
    "startedAt" = coalesce(j."startedAt", now()), "updatedAt" = now()
  FROM picked p
  WHERE j.id = p.id
  RETURNING j.id, j.filename, j."rawText", j.config, j."retryCount", j."currentState", j."completedChunks",
            j."totalChunks", j.checkpoints, j."replacesPlaybookId", j."leaseToken", p."fromStatus"
),
claim_events AS (
  INSERT INTO "JobEvent" (id, "jobId", event, details, "createdAt")
  SELECT gen_random_uuid()::text, c.id, 'running',
         jsonb_build_object('from', c."fromStatus", 'to', 'running', 'worker', ${p.worker}::text, 'attempt', c."retryCount" + 1),
         clock_timestamp()
  FROM claimed c
)`;
}

const CLAIM_SQL = `WITH ${claimCtes({ worker: '$1', limit: '$2', lease: '$3', base: '$4', cap: '$5' })}
SELECT * FROM claimed`;

// A slot whose job just succeeded completes it and claims its next job in one round trip (one commit instead
// of two). The two touch different rows: the finished job is `running`, the candidates are not. The LEFT JOIN
// returns one row even when nothing was claimed, so the completion's outcome is always known.
const COMPLETE_AND_CLAIM_SQL = `WITH ${COMPLETE_CTES},
${claimCtes({ worker: '$4', limit: '$5', lease: '$6', base: '$7', cap: '$8' })}
SELECT (SELECT count(*)::int FROM done) AS "completedCount", c.*
FROM (SELECT 1) AS one LEFT JOIN claimed c ON true`;

interface ClaimRow {
  id: string;
  filename: string;
  rawText: string;
  config: JobConfig | null;
  retryCount: number;
  currentState: unknown;
  completedChunks: number;
  totalChunks: number | null;
  checkpoints: unknown;
  replacesPlaybookId: string | null;
  leaseToken: string;
}

export interface ClaimRequest {
  workerId: string;
  limit: number;
  leaseMs: number;
  backoff: BackoffPolicy;
}

/**
 * Takes up to `limit` runnable jobs for `workerId`, recovering expired leases on the way (PostgreSQL runs
 * data-modifying CTEs to completion whether or not the final SELECT reads them).
 */
export async function claimJobs(db: Pick<pg.Pool, 'query'>, req: ClaimRequest): Promise<ClaimedJob[]> {
  // Named, so each pooled connection parses and plans it once, not on every claim.
  const { rows } = await db.query<ClaimRow>({
    name: 'playbuddy_claim',
    text: CLAIM_SQL,
    values: [req.workerId, req.limit, req.leaseMs, req.backoff.baseMs, req.backoff.capMs],
  });
  return rows.map((r) => toClaimedJob(r, req.workerId));
}

/**
 * Completes a job with no play stored (fenced) and claims up to `limit` more; `completed` is false if the lease
 * was lost.
 *
 * Doing both in one transaction can deadlock: a concurrent claimer that re-checks a row just claimed elsewhere
 * keeps its lock on that row until it commits, so two workers completing and claiming at once can each wait
 * for the other's row. PostgreSQL then aborts one statement whole (nothing of it happened), and that worker
 * falls back to the two halves as separate statements: a completion alone holds no other row, and a claim
 * alone never waits (SKIP LOCKED), so neither can be part of a cycle.
 */
export async function completeAndClaim(db: Pick<pg.Pool, 'query'>, lease: Lease, req: ClaimRequest): Promise<{ completed: boolean; jobs: ClaimedJob[] }> {
  try {
    const { rows } = await db.query<ClaimRow & { completedCount: number }>({
      name: 'playbuddy_complete_and_claim',
      text: COMPLETE_AND_CLAIM_SQL,
      values: [lease.jobId, lease.leaseToken, null, req.workerId, req.limit, req.leaseMs, req.backoff.baseMs, req.backoff.capMs],
    });
    return {
      completed: rows[0]?.completedCount === 1,
      jobs: rows.filter((r) => r.id !== null).map((r) => toClaimedJob(r, req.workerId)),
    };
  } catch (err) {
    if ((err as { code?: string }).code !== DEADLOCK_DETECTED) throw err;
    const completed = await completeJob(db, lease, null);
    return { completed, jobs: await claimJobs(db, req) };
  }
}

const DEADLOCK_DETECTED = '40P01';

function toClaimedJob(r: ClaimRow, workerId: string): ClaimedJob {
  return {
    id: r.id,
    filename: r.filename,
    rawText: r.rawText,
    config: r.config,
    attempt: r.retryCount + 1,
    currentState: r.currentState,
    completedChunks: r.completedChunks,
    totalChunks: r.totalChunks,
    checkpoints: Array.isArray(r.checkpoints) ? r.checkpoints : [],
    replacesPlaybookId: r.replacesPlaybookId,
    workerId,
    leaseToken: r.leaseToken,
  };
}
