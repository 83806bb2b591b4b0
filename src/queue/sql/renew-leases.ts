import type { Queryable } from '../../db/queryable.js';
import type { Lease } from '../jobs.js';
import { millis } from './fragments.js';

// One statement renews every lease this worker holds and its registration heartbeat; the ids it does not
// return were taken away (paused, cancelled or recovered by another worker) and must stop. Fenced per row on
// (id, token) from the unnested arrays rather than through holdsLease(), which takes one job.
const RENEW_SQL = `
WITH renewed AS (
  UPDATE "ParseJob" j SET "lockExpiry" = now() + ${millis('$3')}
  FROM unnest($1::text[], $2::text[]) AS h(id, token)
  WHERE j.id = h.id AND j."leaseToken" = h.token AND j.status = 'running'
  RETURNING j.id
),
beat AS (
  UPDATE "Worker" SET "lastHeartbeat" = now() WHERE id = $4
)
SELECT id FROM renewed`;

/** Renews the given leases; returns the ids still held. */
export async function renewLeases(db: Queryable, workerId: string, leases: Lease[], leaseMs: number): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>({
    name: 'playbuddy_renew',
    text: RENEW_SQL,
    values: [leases.map((l) => l.jobId), leases.map((l) => l.leaseToken), leaseMs, workerId],
  });
  return new Set(rows.map((r) => r.id));
}
