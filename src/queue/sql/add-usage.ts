import type { Queryable } from '../../db/queryable.js';
import type { JobUsage, Lease } from '../jobs.js';
import { holdsLease } from './fragments.js';

// Increments in SQL, not read-add-write: concurrent calls of one job (several chunks in flight) add up.
const ADD_USAGE_SQL = `
UPDATE "ParseJob" SET "inputTokens" = "inputTokens" + $3, "outputTokens" = "outputTokens" + $4,
                      "costUsd" = "costUsd" + $5, "updatedAt" = now()
WHERE ${holdsLease('$1', '$2')}`;

export async function addUsage(db: Queryable, lease: Lease, usage: JobUsage): Promise<boolean> {
  const r = await db.query({ text: ADD_USAGE_SQL, values: [lease.jobId, lease.leaseToken, usage.inputTokens, usage.outputTokens, usage.costUsd] });
  return r.rowCount === 1;
}
