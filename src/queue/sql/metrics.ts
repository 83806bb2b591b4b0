import type { Queryable } from '../../db/queryable.js';

import { FINISHED, LIVE, sqlStatuses } from '../states.js';

// `playbuddy metrics`: throughput, durations, failures and LLM spend over a window, from the job rows
// themselves (no counters to keep in step). Finished jobs are found by completedAt, which every end sets,
// through the partial index ParseJob_finished_idx (its predicate implied by the status list), so the cost
// follows the window, not the history; the durations are those of the window's completed jobs, first start
// to completion (retries included).
const WINDOW_SQL = `
WITH finished AS (
  SELECT status, "startedAt", "completedAt" FROM "ParseJob"
  WHERE status IN ('completed', 'failed') AND "completedAt" >= now() - $1::float8 * interval '1 millisecond'
)
SELECT
  count(*) FILTER (WHERE status = 'completed')::int AS completed,
  count(*) FILTER (WHERE status = 'failed')::int AS failed,
  count(*) FILTER (WHERE status = 'completed' AND "completedAt" >= now() - interval '1 minute')::int AS "completedLastMinute",
  (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM "completedAt" - "startedAt"))
    FILTER (WHERE status = 'completed' AND "startedAt" IS NOT NULL) * 1000)::float8 AS "p50Ms",
  (percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM "completedAt" - "startedAt"))
    FILTER (WHERE status = 'completed' AND "startedAt" IS NOT NULL) * 1000)::float8 AS "p95Ms"
FROM finished`;

// Spend per UTC day of the jobs that used an LLM, over the last $1 days (today included): a finished job's on
// the day it finished (the completedAt index), one still under way on the day of its last write (the few
// unfinished jobs, through the status index).
const SPEND_SQL = `
WITH spent AS (
  SELECT "completedAt" AS at, "inputTokens", "outputTokens", "costUsd" FROM "ParseJob"
  WHERE status IN (${sqlStatuses(FINISHED)}) AND "completedAt" >= date_trunc('day', now()) - ($1::int - 1) * interval '1 day'
  UNION ALL
  SELECT "updatedAt", "inputTokens", "outputTokens", "costUsd" FROM "ParseJob"
  WHERE status IN (${sqlStatuses(LIVE)}) AND "updatedAt" >= date_trunc('day', now()) - ($1::int - 1) * interval '1 day'
)
SELECT to_char(date_trunc('day', at), 'YYYY-MM-DD') AS day,
       sum("inputTokens")::float8 AS "inputTokens", sum("outputTokens")::float8 AS "outputTokens", sum("costUsd")::float8 AS "costUsd"
FROM spent
WHERE "inputTokens" > 0 OR "outputTokens" > 0
GROUP BY 1 ORDER BY 1`;

export interface WindowMetrics {
  completed: number;
  failed: number;
  completedLastMinute: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface DaySpend {
  day: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export async function windowMetrics(db: Queryable, windowMs: number): Promise<WindowMetrics> {
  return (await db.query<WindowMetrics>({ text: WINDOW_SQL, values: [windowMs] })).rows[0]!;
}

export async function spendPerDay(db: Queryable, days: number): Promise<DaySpend[]> {
  return (await db.query<DaySpend>({ text: SPEND_SQL, values: [days] })).rows;
}
