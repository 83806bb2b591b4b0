import type { Queryable } from '../../db/queryable.js';

// Worker registration, so `status` can show who is alive. The heartbeat itself rides on the lease renewal
// statement (renew-leases.ts), one round trip for both.
const REGISTER_SQL = `INSERT INTO "Worker" (id, host, pid, concurrency, "startedAt", "lastHeartbeat") VALUES ($1, $2, $3, $4, now(), now())`;

export interface WorkerIdentity {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
}

export async function registerWorker(db: Queryable, w: WorkerIdentity): Promise<void> {
  await db.query({ text: REGISTER_SQL, values: [w.id, w.host, w.pid, w.concurrency] });
}
