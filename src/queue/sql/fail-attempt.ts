import type { Queryable } from '../../db/queryable.js';
import type { Lease } from '../jobs.js';
import { JOB_EVENTS, sqlLiteral } from '../events.js';
import { LEASE_CLEARED, RETRIES_LEFT, holdsLease, insertEvents, millis, retryDecision } from './fragments.js';

// A failed attempt. The status is decided here, from the row, so a concurrent change of maxRetries is
// honoured: `retrying` (using an attempt, not before now + delay) while retries are left and the error is
// transient, else `failed` with a reason a person can act on. $3 transient, $4 message, $5 delay in ms, $6 the
// stage the attempt stopped in (null: keep the one its last progress write left).
const FAIL_SQL = `
WITH failed AS (
  UPDATE "ParseJob" j SET
    ${retryDecision(
      `$3::bool AND ${RETRIES_LEFT}`,
      millis('$5'),
      `CASE WHEN $3::bool THEN 'Gave up after ' || (j."retryCount" + 1)
                                         || CASE WHEN j."retryCount" = 0 THEN ' attempt: ' ELSE ' attempts: ' END || $4
                      ELSE $4 END`,
    )},
    "lastError" = $4, stage = coalesce($6, j.stage),
    ${LEASE_CLEARED}, "updatedAt" = now()
  WHERE ${holdsLease('$1', '$2', 'j')}
  RETURNING j.id, j.status::text AS status, j."retryCount", j."failureReason"
),
events AS (
  ${insertEvents(
    'f.id',
    `CASE f.status WHEN 'retrying' THEN ${sqlLiteral(JOB_EVENTS.retrying)} ELSE ${sqlLiteral(JOB_EVENTS.failed)} END`,
    `jsonb_build_object('from', 'running', 'to', f.status, 'error', $4::text, 'transient', $3::bool,
                            'retryCount', f."retryCount", 'delayMs', CASE WHEN f.status = 'retrying' THEN $5::float8 END)`,
    'failed f',
  )}
)
SELECT status, "retryCount", "failureReason" FROM failed`;

export type FailOutcome = { status: 'retrying' | 'failed'; retryCount: number; failureReason: string | null } | null;

/** Records a failed attempt; null when the lease was lost (nothing written). */
export async function failAttempt(
  db: Queryable,
  lease: Lease,
  failure: { message: string; transient: boolean; delayMs: number; stage?: string | null },
): Promise<FailOutcome> {
  const { rows } = await db.query<NonNullable<FailOutcome>>({
    text: FAIL_SQL,
    values: [lease.jobId, lease.leaseToken, failure.transient, failure.message, failure.delayMs, failure.stage ?? null],
  });
  return rows[0] ?? null;
}
