import type pg from 'pg';
import { JOBS_CHANNEL } from './notify.js';

// Everything a worker writes for a job it holds. The frequent statements are named (prepared once per
// pooled connection). Each statement is fenced on (id, leaseToken): the token is
// fresh per claim and cleared by every transition out of `running` (operator pause/cancel, lease recovery),
// so a worker that lost its lease matches no row and changes nothing. Callers treat "no row" as lease lost.
// Each state change carries its JobEvent in the same statement (one round trip, one implicit transaction).

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export interface Lease {
  jobId: string;
  leaseToken: string;
}

const MS = `* interval '1 millisecond'`;

// One statement renews every lease this worker holds and its registration heartbeat; the ids it does not
// return were taken away (paused, cancelled or recovered by another worker) and must stop.
const RENEW_SQL = `
WITH renewed AS (
  UPDATE "ParseJob" j SET "lockExpiry" = now() + $3::float8 ${MS}
  FROM unnest($1::text[], $2::text[]) AS h(id, token)
  WHERE j.id = h.id AND j."leaseToken" = h.token AND j.status = 'running'
  RETURNING j.id
),
beat AS (
  UPDATE "Worker" SET "lastHeartbeat" = now() WHERE id = $4
)
SELECT id FROM renewed`;

/** Renews the given leases; returns the ids still held. */
export async function renewLeases(db: Queryable, workerId: string, leases: Lease[], leaseMs: number): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>({
    name: 'playbuddy_renew',
    text: RENEW_SQL,
    values: [leases.map((l) => l.jobId), leases.map((l) => l.leaseToken), leaseMs, workerId],
  });
  return new Set(rows.map((r) => r.id));
}

/** Whether the lease is still held (after a control notification, which may be stale). */
export async function holdsLease(db: Queryable, lease: Lease): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM "ParseJob" WHERE id = $1 AND "leaseToken" = $2 AND status = 'running'`, [lease.jobId, lease.leaseToken]);
  return rows.length > 0;
}

export interface CheckpointWrite {
  state: unknown;
  completedChunks: number;
  totalChunks: number;
  progress: number;
  entry: Record<string, unknown>;
}

// A checkpoint also extends the lease: writing one is proof the job is alive.
const CHECKPOINT_SQL = `
UPDATE "ParseJob" SET
  "currentState" = $3::jsonb, "completedChunks" = $4, "totalChunks" = $5, progress = $6,
  checkpoints = checkpoints || jsonb_build_array($7::jsonb),
  "lockExpiry" = now() + $8::float8 ${MS}, "updatedAt" = now()
WHERE id = $1 AND "leaseToken" = $2 AND status = 'running'`;

export async function writeCheckpoint(db: Queryable, lease: Lease, cp: CheckpointWrite, leaseMs: number): Promise<boolean> {
  const r = await db.query({ name: 'playbuddy_checkpoint', text: CHECKPOINT_SQL, values: [
    lease.jobId,
    lease.leaseToken,
    JSON.stringify(cp.state ?? null),
    cp.completedChunks,
    cp.totalChunks,
    cp.progress,
    JSON.stringify(cp.entry),
    leaseMs,
  ] });
  return r.rowCount === 1;
}

export async function addUsage(db: Queryable, lease: Lease, usage: { inputTokens: number; outputTokens: number; costUsd: number }): Promise<boolean> {
  const r = await db.query(
    `UPDATE "ParseJob" SET "inputTokens" = "inputTokens" + $3, "outputTokens" = "outputTokens" + $4,
                           "costUsd" = "costUsd" + $5, "updatedAt" = now()
     WHERE id = $1 AND "leaseToken" = $2 AND status = 'running'`,
    [lease.jobId, lease.leaseToken, usage.inputTokens, usage.outputTokens, usage.costUsd],
  );
  return r.rowCount === 1;
}

export async function writeEvent(db: Queryable, lease: Lease, event: string, details: Record<string, unknown> | undefined): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO "JobEvent" (id, "jobId", event, details, "createdAt")
     SELECT gen_random_uuid()::text, id, $3, $4::jsonb, clock_timestamp()
     FROM "ParseJob" WHERE id = $1 AND "leaseToken" = $2 AND status = 'running'`,
    [lease.jobId, lease.leaseToken, event, details === undefined ? null : JSON.stringify(details)],
  );
  return r.rowCount === 1;
}

// Completion: status, result and JobEvent in one statement. Run on its own (a handler that stored nothing),
// as the last statement of the transaction that stored the play (see src/worker/context.ts), or joined with
// the claim of the next job (claim.ts). Parameters: $1 job id, $2 lease token, $3 playbook id.
export const COMPLETE_CTES = `
done AS (
  UPDATE "ParseJob" SET
    status = 'completed', "playbookId" = $3, progress = 100, "completedAt" = now(), "updatedAt" = now(),
    "lastError" = NULL, "workerId" = NULL, "lockedAt" = NULL, "lockExpiry" = NULL, "leaseToken" = NULL
  WHERE id = $1 AND "leaseToken" = $2 AND status = 'running'
  RETURNING id, "retryCount"
),
done_event AS (
  INSERT INTO "JobEvent" (id, "jobId", event, details, "createdAt")
  SELECT gen_random_uuid()::text, id, 'completed',
         jsonb_build_object('from', 'running', 'to', 'completed', 'playbookId', $3::text, 'attempt', "retryCount" + 1),
         clock_timestamp()
  FROM done
)`;

export const COMPLETE_SQL = `WITH ${COMPLETE_CTES} SELECT id FROM done`;

export async function completeJob(db: Queryable, lease: Lease, playbookId: string | null): Promise<boolean> {
  const r = await db.query({ name: 'playbuddy_complete', text: COMPLETE_SQL, values: [lease.jobId, lease.leaseToken, playbookId] });
  return r.rowCount === 1;
}

// A failed attempt. The status is decided here, from the row, so a concurrent change of maxRetries is
// honoured: `retrying` (using an attempt, not before now + delay) while retries are left and the error is
// transient, else `failed` with a reason a person can act on.
const FAIL_SQL = `
WITH failed AS (
  UPDATE "ParseJob" j SET
    status = (CASE WHEN $3::bool AND j."retryCount" < j."maxRetries" THEN 'retrying' ELSE 'failed' END)::"JobStatus",
    "retryCount" = CASE WHEN $3::bool AND j."retryCount" < j."maxRetries" THEN j."retryCount" + 1 ELSE j."retryCount" END,
    "runAfter" = CASE WHEN $3::bool AND j."retryCount" < j."maxRetries" THEN now() + $5::float8 ${MS} ELSE j."runAfter" END,
    "lastError" = $4,
    "failureReason" = CASE WHEN $3::bool AND j."retryCount" < j."maxRetries" THEN NULL
                      WHEN $3::bool THEN 'Gave up after ' || (j."retryCount" + 1)
                                         || CASE WHEN j."retryCount" = 0 THEN ' attempt: ' ELSE ' attempts: ' END || $4
                      ELSE $4 END,
    "workerId" = NULL, "lockedAt" = NULL, "lockExpiry" = NULL, "leaseToken" = NULL, "updatedAt" = now()
  WHERE j.id = $1 AND j."leaseToken" = $2 AND j.status = 'running'
  RETURNING j.id, j.status::text AS status, j."retryCount", j."failureReason"
),
events AS (
  INSERT INTO "JobEvent" (id, "jobId", event, details, "createdAt")
  SELECT gen_random_uuid()::text, f.id, f.status,
         jsonb_build_object('from', 'running', 'to', f.status, 'error', $4::text, 'transient', $3::bool,
                            'retryCount', f."retryCount", 'delayMs', CASE WHEN f.status = 'retrying' THEN $5::float8 END),
         clock_timestamp()
  FROM failed f
)
SELECT status, "retryCount", "failureReason" FROM failed`;

export type FailOutcome = { status: 'retrying' | 'failed'; retryCount: number; failureReason: string | null } | null;

/** Records a failed attempt; null when the lease was lost (nothing written). */
export async function failAttempt(
  db: Queryable,
  lease: Lease,
  failure: { message: string; transient: boolean; delayMs: number },
): Promise<FailOutcome> {
  const { rows } = await db.query<{ status: 'retrying' | 'failed'; retryCount: number; failureReason: string | null }>(FAIL_SQL, [
    lease.jobId,
    lease.leaseToken,
    failure.transient,
    failure.message,
    failure.delayMs,
  ]);
  return rows[0] ?? null;
}

// Graceful shutdown hands the job back without using an attempt; it keeps its checkpoint, and the NOTIFY
// (delivered at commit) lets an idle worker elsewhere take it at once.
const RELEASE_SQL = `
WITH released AS (
  UPDATE "ParseJob" SET
    status = 'queued', "runAfter" = now(), "updatedAt" = now(),
    "workerId" = NULL, "lockedAt" = NULL, "lockExpiry" = NULL, "leaseToken" = NULL
  WHERE id = $1 AND "leaseToken" = $2 AND status = 'running'
  RETURNING id, "completedChunks"
),
events AS (
  INSERT INTO "JobEvent" (id, "jobId", event, details, "createdAt")
  SELECT gen_random_uuid()::text, id, 'released',
         jsonb_build_object('from', 'running', 'to', 'queued', 'reason', $3::text, 'completedChunks', "completedChunks"),
         clock_timestamp()
  FROM released
)
SELECT id, pg_notify('${JOBS_CHANNEL}', '') FROM released`;

export async function releaseJob(db: Queryable, lease: Lease, reason: string): Promise<boolean> {
  const r = await db.query(RELEASE_SQL, [lease.jobId, lease.leaseToken, reason]);
  return r.rowCount === 1;
}
