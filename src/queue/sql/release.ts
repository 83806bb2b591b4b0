import type { Queryable } from '../../db/queryable.js';
import type { Lease } from '../jobs.js';
import { JOBS_CHANNEL } from '../notify.js';
import { JOB_EVENTS, sqlLiteral } from '../events.js';
import { LEASE_CLEARED, holdsLease, insertEvents } from './fragments.js';

// Graceful shutdown hands the job back without using an attempt; it keeps its checkpoint, and the NOTIFY
// (delivered at commit) lets an idle worker elsewhere take it at once.
const RELEASE_SQL = `
WITH released AS (
  UPDATE "ParseJob" SET
    status = 'queued', "runAfter" = now(), "updatedAt" = now(), ${LEASE_CLEARED}
  WHERE ${holdsLease('$1', '$2')}
  RETURNING id, "completedChunks"
),
events AS (
  ${insertEvents(
    'id',
    sqlLiteral(JOB_EVENTS.released),
    `jsonb_build_object('from', 'running', 'to', 'queued', 'reason', $3::text, 'completedChunks', "completedChunks")`,
    'released',
  )}
)
SELECT id, pg_notify('${JOBS_CHANNEL}', '') FROM released`;

export async function releaseJob(db: Queryable, lease: Lease, reason: string): Promise<boolean> {
  const r = await db.query({ text: RELEASE_SQL, values: [lease.jobId, lease.leaseToken, reason] });
  return r.rowCount === 1;
}
