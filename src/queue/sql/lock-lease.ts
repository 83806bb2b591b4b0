import type { Queryable } from '../../db/queryable.js';
import type { Lease } from '../jobs.js';
import { holdsLease } from './fragments.js';

// The first statement of the transaction that stores a play and completes its job. Locking the row first
// means an operator's pause or cancel waits for that transaction (and then finds the job completed) instead
// of slipping in between storing the play and completing the job.
const LOCK_SQL = `SELECT 1 FROM "ParseJob" WHERE ${holdsLease('$1', '$2')} FOR UPDATE`;

/** Locks a held job's row for the rest of the transaction; false when the lease was lost. */
export async function lockLease(tx: Queryable, lease: Lease): Promise<boolean> {
  const { rows } = await tx.query({ text: LOCK_SQL, values: [lease.jobId, lease.leaseToken] });
  return rows.length === 1;
}
