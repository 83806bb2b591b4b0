import type { Queryable } from '../../db/queryable.js';
import { WORKER_ALIVE_MS } from './live-workers.js';

// What `playbuddy health` judges, in one round trip. Each part reads what an index serves: runnable jobs
// from the claim's partial index, running ones from the partial ParseJob_running_lockExpiry_idx, the window's finished jobs from the
// partial index on completedAt (ParseJob_finished_idx) — bounded by time, so a long history costs nothing.
const HEALTH_SQL = `
SELECT
  (SELECT count(*)::int FROM "Worker"
    WHERE "stoppedAt" IS NULL AND "lastHeartbeat" >= (now() AT TIME ZONE 'UTC') - $1::float8 * interval '1 millisecond') AS "liveWorkers",
  (SELECT count(*)::int FROM "ParseJob" WHERE status IN ('queued', 'retrying') AND "runAfter" <= now()) AS runnable,
  (SELECT (extract(epoch FROM now() - min("runAfter")) * 1000)::float8 FROM "ParseJob"
    WHERE status IN ('queued', 'retrying') AND "runAfter" <= now()) AS "oldestRunnableMs",
  (SELECT count(*)::int FROM "ParseJob" WHERE status = 'running' AND "lockExpiry" < now()) AS "pastLease",
  (SELECT count(*)::int FROM "ParseJob" WHERE status = 'completed' AND "completedAt" >= now() - $2::float8 * interval '1 millisecond') AS "completedInWindow",
  (SELECT count(*)::int FROM "ParseJob" WHERE status = 'failed' AND "completedAt" >= now() - $2::float8 * interval '1 millisecond') AS "failedInWindow"`;

export interface HealthFacts {
  liveWorkers: number;
  runnable: number;
  /** How long the longest-waiting runnable job has been runnable; null when none is. */
  oldestRunnableMs: number | null;
  /** Jobs still `running` whose lease has expired: their worker is gone and nobody has taken them over yet. */
  pastLease: number;
  completedInWindow: number;
  failedInWindow: number;
}

export async function healthFacts(db: Queryable, windowMs: number): Promise<HealthFacts> {
  const { rows } = await db.query<HealthFacts>({ text: HEALTH_SQL, values: [WORKER_ALIVE_MS, windowMs] });
  return rows[0]!;
}
