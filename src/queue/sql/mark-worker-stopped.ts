import type { Queryable } from '../../db/queryable.js';

// A clean stop is recorded, so `status` drops the worker at once instead of after its heartbeat goes stale.
const STOPPED_SQL = `UPDATE "Worker" SET "stoppedAt" = now(), "lastHeartbeat" = now() WHERE id = $1`;

export async function markWorkerStopped(db: Queryable, workerId: string): Promise<void> {
  await db.query({ text: STOPPED_SQL, values: [workerId] });
}
