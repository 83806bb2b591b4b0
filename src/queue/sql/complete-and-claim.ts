import type { Queryable } from '../../db/queryable.js';
import type { ClaimedJob, Lease } from '../jobs.js';
import { claimCtes, claimJobs, toClaimedJob, type ClaimRequest, type ClaimRow } from './claim.js';
import { COMPLETE_CTES, completeJob } from './complete.js';

// A slot whose job just succeeded completes it and claims its next job in one round trip (one commit instead
// of two). The two touch different rows: the finished job is `running`, the candidates are not. The LEFT JOIN
// returns one row even when nothing was claimed, so the completion's outcome is always known.
const COMPLETE_AND_CLAIM_SQL = `WITH ${COMPLETE_CTES},
${claimCtes({ worker: '$4', limit: '$5', lease: '$6', base: '$7', cap: '$8' })}
SELECT (SELECT count(*)::int FROM done) AS "completedCount", c.*
FROM (SELECT 1) AS one LEFT JOIN claimed c ON true`;

const DEADLOCK_DETECTED = '40P01';

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
export async function completeAndClaim(db: Queryable, lease: Lease, req: ClaimRequest): Promise<{ completed: boolean; jobs: ClaimedJob[] }> {
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
