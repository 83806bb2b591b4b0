import type { Queryable } from '../../db/queryable.js';
import type { Lease } from '../jobs.js';
import { millis } from './fragments.js';

// One statement renews every lease this worker holds and its registration heartbeat; the ids it does not
// return were taken away (paused, cancelled or recovered by another worker) and must stop. Fenced per row on
// (id, token) from the unnested arrays rather than through holdsLease(), which takes one job.
//
// Why it never waits: a job that is storing its play holds its own row locked until that transaction ends,
// which can take seconds for a long play. A plain UPDATE would queue behind that lock, and with it the
// leases of every other job of this worker and the worker's heartbeat, until other workers took those jobs
// for abandoned and `status` counted the worker dead. So the rows are locked SKIP LOCKED: a row locked by
// someone else is not renewed this time, yet still reported held when this statement's snapshot shows it
// ours (`held`). Such a row cannot be recovered meanwhile either, since recovery skips locked rows too; a
// pause or cancel that committed after the snapshot is seen at the next heartbeat or through its NOTIFY.
// The rows still ours; `lockable` repeats the fence rather than reading `held`, so a row changed since the
// snapshot is re-checked against it when locked.
const OURS = `SELECT j.id
  FROM "ParseJob" j JOIN unnest($1::text[], $2::text[]) AS h(id, token) ON j.id = h.id
  WHERE j."leaseToken" = h.token AND j.status = 'running'`;

const RENEW_SQL = `
WITH held AS (
  ${OURS}
),
lockable AS (
  ${OURS}
  FOR UPDATE OF j SKIP LOCKED
),
renewed AS (
  UPDATE "ParseJob" j SET "lockExpiry" = now() + ${millis('$3')}
  FROM lockable l
  WHERE j.id = l.id
),
beat AS (
  UPDATE "Worker" SET "lastHeartbeat" = now() WHERE id = $4
)
SELECT id FROM held`;

/** Renews the given leases; returns the ids still held (one whose row is locked by its own store is held). */
export async function renewLeases(db: Queryable, workerId: string, leases: Lease[], leaseMs: number): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>({
    name: 'playbuddy_renew',
    text: RENEW_SQL,
    values: [leases.map((l) => l.jobId), leases.map((l) => l.leaseToken), leaseMs, workerId],
  });
  return new Set(rows.map((r) => r.id));
}
