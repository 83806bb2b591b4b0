import type { Queryable } from '../../db/queryable.js';
import type { Lease } from '../jobs.js';
import { holdsLease as fenced } from './fragments.js';

// Asked after a control notification, which may be stale (the job may have been resumed and re-claimed by
// this very worker since): only the row can say whether the lease is still held.
const HOLDS_SQL = `SELECT 1 FROM "ParseJob" WHERE ${fenced('$1', '$2')}`;

export async function holdsLease(db: Queryable, lease: Lease): Promise<boolean> {
  const { rows } = await db.query({ text: HOLDS_SQL, values: [lease.jobId, lease.leaseToken] });
  return rows.length > 0;
}
