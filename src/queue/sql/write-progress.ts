import type { Queryable } from '../../db/queryable.js';
import type { JobProgress, Lease } from '../jobs.js';
import { holdsLease } from './fragments.js';

// Where a running job is between its checkpoints: its stage and progress, for `status` to show. Cheap on
// purpose, as a handler writes it every second or so: it touches no indexed column (not even lockExpiry:
// renewing the lease is the renewal timer's job), so PostgreSQL rewrites the row in place without touching
// any index, and it is fenced on the lease like every write a worker makes.
const PROGRESS_SQL = `
UPDATE "ParseJob" SET stage = $3, progress = $4, "updatedAt" = now()
WHERE ${holdsLease('$1', '$2')}`;

/** False when the lease was lost (nothing written). */
export async function writeProgress(db: Queryable, lease: Lease, p: JobProgress): Promise<boolean> {
  const r = await db.query({ name: 'playbuddy_progress', text: PROGRESS_SQL, values: [lease.jobId, lease.leaseToken, p.stage, p.progress] });
  return r.rowCount === 1;
}
