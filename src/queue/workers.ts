import type pg from 'pg';

// Worker registration, so `status` can show who is alive (see liveWorkers in repository.ts). The heartbeat
// itself rides on the lease renewal statement (lease.ts), one round trip for both.

type Queryable = Pick<pg.Pool, 'query'>;

export interface WorkerIdentity {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
}

export async function registerWorker(db: Queryable, w: WorkerIdentity): Promise<void> {
  await db.query(
    `INSERT INTO "Worker" (id, host, pid, concurrency, "startedAt", "lastHeartbeat") VALUES ($1, $2, $3, $4, now(), now())`,
    [w.id, w.host, w.pid, w.concurrency],
  );
}

export async function markWorkerStopped(db: Queryable, workerId: string): Promise<void> {
  await db.query(`UPDATE "Worker" SET "stoppedAt" = now(), "lastHeartbeat" = now() WHERE id = $1`, [workerId]);
}
