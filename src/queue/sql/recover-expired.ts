import type { Queryable } from '../../db/queryable.js';
import { sqlRetryDelay, type BackoffPolicy } from '../backoff.js';
import { JOB_EVENTS, sqlLiteral } from '../events.js';
import { fromStatuses, sqlStatuses } from '../states.js';
import { LEASE_CLEARED, RETRIES_LEFT, insertEvents, retryDecision } from './fragments.js';

// Jobs still `running` whose lease expired belong to a worker that died or was cut off. Each uses an attempt:
// `retrying` with backoff, or `failed` when no retries are left, with its JobEvent, in one statement.
//
// Why it is shaped this way, and why it is not part of the claim:
// - Every live worker runs it on its poll timer and before a drain ends (src/worker/worker.ts), so recovery
//   needs no sweeper process and is bounded by the lease plus one poll interval. It used to run inside every
//   claim, which every job pays for: its three CTEs were a third of the claim's planning and a fifth of its
//   execution (measured with EXPLAIN: complete-and-claim planned in 0.39 ms with them, 0.26 ms without, ran
//   in 0.21 against 0.17 ms), and through a transaction pooler, where statements cannot stay prepared, the
//   claim is planned on every call.
// - `expired` walks the partial index ParseJob_running_lockExpiry_idx (lockExpiry) WHERE status = 'running' —
//   the one status leaseExpired leaves from, which the index's predicate must keep matching — so it reads
//   only running jobs, and nothing when none has expired. SKIP LOCKED: two workers recovering at once never
//   block on the same dead job, and a job whose worker is still committing its result (its row locked) is
//   left to that commit.
// - At most RECOVER_PER_PASS rows per statement, so one pass never turns into a long sweep; a worker that
//   recovered a full batch runs another at once.
// - `now()` is the statement's start time; the session runs in UTC (see src/db/pool.ts).
const RECOVER_PER_PASS = 50;

const RECOVER_SQL = `
WITH expired AS (
  SELECT id, "workerId" AS "oldWorker"
  FROM "ParseJob"
  WHERE status IN (${sqlStatuses(fromStatuses(JOB_EVENTS.leaseExpired))}) AND "lockExpiry" < now()
  ORDER BY "lockExpiry"
  LIMIT ${RECOVER_PER_PASS}
  FOR UPDATE SKIP LOCKED
),
recovered AS (
  UPDATE "ParseJob" j SET
    ${retryDecision(
      RETRIES_LEFT,
      sqlRetryDelay('j."retryCount"', '$2', '$3'),
      `'Its worker stopped renewing the lease (killed, crashed or cut off) on the last allowed attempt; '
                           || 'if the job itself kills the worker (e.g. out of memory), fix that, then run playbuddy retry.'`,
    )},
    "lastError" = 'Its worker ' || coalesce(e."oldWorker", '?') || ' stopped renewing the lease (killed, crashed or cut off).',
    ${LEASE_CLEARED},
    "updatedAt" = now()
  FROM expired e
  WHERE j.id = e.id
  RETURNING j.id, j.status, j."retryCount", j."runAfter", e."oldWorker"
),
recovered_events AS (
  ${insertEvents(
    'r.id',
    sqlLiteral(JOB_EVENTS.leaseExpired),
    `jsonb_build_object('from', 'running', 'to', r.status, 'worker', r."oldWorker", 'retryCount', r."retryCount",
                            'runAfter', r."runAfter", 'recoveredBy', $1::text)`,
    'recovered r',
  )}
)
SELECT count(*)::int AS recovered FROM recovered`;

/**
 * Hands the jobs of workers whose leases expired back to the queue (or fails them on their last attempt);
 * returns how many it recovered, all of them when that needed several passes.
 */
export async function recoverExpiredLeases(db: Queryable, workerId: string, backoff: BackoffPolicy): Promise<number> {
  let total = 0;
  for (;;) {
    const { rows } = await db.query<{ recovered: number }>({
      name: 'playbuddy_recover_expired',
      text: RECOVER_SQL,
      values: [workerId, backoff.baseMs, backoff.capMs],
    });
    const n = rows[0]?.recovered ?? 0;
    total += n;
    if (n < RECOVER_PER_PASS) return total;
  }
}
