import type { Queryable } from '../../db/queryable.js';
import type { ClaimedJob, JobType } from '../jobs.js';
import { JOB_EVENTS, sqlLiteral } from '../events.js';
import { RUNNABLE, sqlStatuses } from '../states.js';
import { insertEvents, millis } from './fragments.js';

// Claiming: the one statement every worker runs to take work. It runs in autocommit (a single statement is
// its own transaction), so a claim costs one round trip however many jobs it takes. Jobs of dead workers
// are handed back by a statement of their own (sql/recover-expired.ts), kept out of this one, which every
// job pays for.

// Why it is shaped this way:
// - `picked`: runnable jobs in priority-then-age order, not before their not-before time. The partial index
//   ParseJob_claim_idx (priority DESC, createdAt) WHERE status IN ('queued','retrying') — the RUNNABLE statuses
//   of states.ts, which the index's predicate must keep matching — yields rows already in that order, so the
//   scan stops after `limit` rows instead of sorting the backlog. FOR UPDATE SKIP LOCKED: concurrent claimers
//   pass over each other's rows instead of waiting, and a row changed since our snapshot is re-checked against
//   the WHERE before we lock it, so a job is handed to exactly one worker.
// - Each claim writes its JobEvent in the same statement: the audit trail costs no extra round trip.
// - `now()` is the statement's start time, the same in every CTE; the session runs in UTC (see
//   src/db/pool.ts) because the timestamp columns hold UTC without a zone.
export interface ClaimParams {
  worker: string;
  limit: string;
  lease: string;
}

export function claimCtes(p: ClaimParams): string {
  return `
picked AS (
  SELECT id, status AS "fromStatus"
  FROM "ParseJob"
  WHERE status IN (${sqlStatuses(RUNNABLE)}) AND "runAfter" <= now()
  ORDER BY priority DESC, "createdAt"
  LIMIT ${p.limit}::int
  FOR UPDATE SKIP LOCKED
),
claimed AS (
  UPDATE "ParseJob" j SET
    status = 'running', "workerId" = ${p.worker}::text, "leaseToken" = gen_random_uuid()::text,
    "lockedAt" = now(), "lockExpiry" = now() + ${millis(p.lease)},
    "startedAt" = coalesce(j."startedAt", now()), "updatedAt" = now()
  FROM picked p
  WHERE j.id = p.id
  RETURNING j.id, j.type, j.filename, j."rawText", j.config, j."retryCount", j."currentState", j."completedChunks",
            j."totalChunks", j.checkpoints, j."replacesPlaybookId", j."costUsd", j."leaseToken", p."fromStatus"
),
claim_events AS (
  ${insertEvents(
    'c.id',
    sqlLiteral(JOB_EVENTS.claimed),
    `jsonb_build_object('from', c."fromStatus", 'to', 'running', 'worker', ${p.worker}::text, 'attempt', c."retryCount" + 1)`,
    'claimed c',
  )}
)`;
}

/**
 * How many jobs a statement claims is written into its text, not passed as a parameter, and each count gets
 * a prepared statement of its own (there are at most concurrency + 1 of them per connection). With the
 * LIMIT known, the plan PostgreSQL caches for the statement is the one it would make for each call (claim
 * index, then primary-key lookups), so after a few calls it stops planning the statement again on every
 * execution — planning this many CTEs was the largest single cost of a claim. With a LIMIT parameter the
 * cached plan guesses a large batch (a hash join over a scan of the whole table), loses to a fresh plan
 * every time, and every call pays for planning.
 */
export function claimLimit(limit: number): string {
  if (!Number.isInteger(limit) || limit < 0) throw new Error(`a claim takes a whole number of jobs, not ${limit}`);
  return String(limit);
}

const claimSql = (limit: number) => `WITH ${claimCtes({ worker: '$1', limit: claimLimit(limit), lease: '$2' })}
SELECT * FROM claimed`;

export interface ClaimRow {
  id: string;
  type: JobType;
  filename: string;
  rawText: string;
  config: unknown;
  retryCount: number;
  currentState: unknown;
  completedChunks: number;
  totalChunks: number | null;
  checkpoints: unknown;
  replacesPlaybookId: string | null;
  costUsd: number;
  leaseToken: string;
}

export interface ClaimRequest {
  workerId: string;
  limit: number;
  leaseMs: number;
}

/** Takes up to `limit` runnable jobs for `workerId`. */
export async function claimJobs(db: Queryable, req: ClaimRequest): Promise<ClaimedJob[]> {
  // Named, so each pooled connection parses it once and, its LIMIT being fixed, plans it once (see claimSql).
  const { rows } = await db.query<ClaimRow>({
    name: `playbuddy_claim_${req.limit}`,
    text: claimSql(req.limit),
    values: [req.workerId, req.leaseMs],
  });
  return rows.map((r) => toClaimedJob(r, req.workerId));
}

export function toClaimedJob(r: ClaimRow, workerId: string): ClaimedJob {
  return {
    id: r.id,
    type: r.type,
    filename: r.filename,
    rawText: r.rawText,
    config: r.config,
    attempt: r.retryCount + 1,
    currentState: r.currentState,
    completedChunks: r.completedChunks,
    totalChunks: r.totalChunks,
    checkpoints: Array.isArray(r.checkpoints) ? r.checkpoints : [],
    replacesPlaybookId: r.replacesPlaybookId,
    spentCostUsd: r.costUsd,
    workerId,
    leaseToken: r.leaseToken,
  };
}
