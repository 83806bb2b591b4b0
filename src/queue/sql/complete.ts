import type { Queryable } from '../../db/queryable.js';
import type { Lease } from '../jobs.js';
import { JOB_EVENTS, sqlLiteral } from '../events.js';
import { LEASE_CLEARED, holdsLease, insertEvents } from './fragments.js';

// Completion: status, result and JobEvent in one statement. Run on its own (a handler that stored nothing),
// or as the last statement of the transaction that stored the play (see src/worker/context.ts); several
// completions together with a claim are complete-and-claim.ts. Parameters: $1 job id, $2 lease token,
// $3 playbook id. completedAt is clock_timestamp(), not now(): inside the storing transaction now() is when
// the transaction began, seconds before the play was stored and before the completion event.
const COMPLETE_CTES = `
done AS (
  UPDATE "ParseJob" SET
    status = 'completed', "playbookId" = $3, progress = 100, "completedAt" = clock_timestamp(), "updatedAt" = now(),
    "lastError" = NULL, ${LEASE_CLEARED}
  WHERE ${holdsLease('$1', '$2')}
  RETURNING id, "retryCount"
),
done_event AS (
  ${insertEvents('id', sqlLiteral(JOB_EVENTS.completed), `jsonb_build_object('from', 'running', 'to', 'completed', 'playbookId', $3::text, 'attempt', "retryCount" + 1)`, 'done')}
)`;

const COMPLETE_SQL = `WITH ${COMPLETE_CTES} SELECT id FROM done`;

/** Completes a held job with the play it stored (or none); false when the lease was lost. */
export async function completeJob(db: Queryable, lease: Lease, playbookId: string | null): Promise<boolean> {
  const r = await db.query({ name: 'playbuddy_complete', text: COMPLETE_SQL, values: [lease.jobId, lease.leaseToken, playbookId] });
  return r.rowCount === 1;
}
