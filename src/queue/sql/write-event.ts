import type { Queryable } from '../../db/queryable.js';
import type { JobEventName } from '../events.js';
import type { Lease } from '../jobs.js';
import { holdsLease, insertEvents } from './fragments.js';

// A handler's own event (a repaired play, an LLM call's outcome). Fenced like every write of a worker: the
// INSERT selects from the job row only while the lease is held, so a stopped job gains no events.
const WRITE_EVENT_SQL = insertEvents('id', '$3', '$4::jsonb', `"ParseJob" WHERE ${holdsLease('$1', '$2')}`);

export async function writeEvent(db: Queryable, lease: Lease, event: JobEventName, details: Record<string, unknown> | undefined): Promise<boolean> {
  const r = await db.query({
    text: WRITE_EVENT_SQL,
    values: [lease.jobId, lease.leaseToken, event, details === undefined ? null : JSON.stringify(details)],
  });
  return r.rowCount === 1;
}
