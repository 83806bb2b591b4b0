import type { Queryable } from '../../db/queryable.js';

// A worker that missed this many heartbeats is presumed dead (it renews every few seconds).
export const WORKER_ALIVE_MS = 30_000;

// The heartbeat column is UTC without a zone, hence `now() AT TIME ZONE 'UTC'`.
const LIVE_WORKERS_SQL = `
SELECT w.id, w.host, w.pid, w.concurrency, w."startedAt", w."lastHeartbeat",
       (SELECT count(*)::int FROM "ParseJob" j WHERE j."workerId" = w.id AND j.status = 'running') AS running
FROM "Worker" w
WHERE w."stoppedAt" IS NULL AND w."lastHeartbeat" >= (now() AT TIME ZONE 'UTC') - $1::int * interval '1 millisecond'
ORDER BY w."startedAt"`;

export interface LiveWorker {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  startedAt: Date;
  lastHeartbeat: Date;
  running: number;
}

export async function liveWorkers(db: Queryable): Promise<LiveWorker[]> {
  return (await db.query<LiveWorker>({ text: LIVE_WORKERS_SQL, values: [WORKER_ALIVE_MS] })).rows;
}
