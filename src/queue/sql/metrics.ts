import type { Queryable } from '../../db/queryable.js';

/** When a finished job finished: a job that failed for good may carry no completedAt, only its last update. */
export const FINISHED_AT = `coalesce("completedAt", "updatedAt")`;

// `playbuddy metrics`: throughput, durations, failures and LLM spend over a window, from the job rows
// themselves (no counters to keep in step). Finished jobs are found by status and completedAt; the
// durations are those of the window's completed jobs, first start to completion (retries included).
const WINDOW_SQL = `
WITH finished AS (
  SELECT status, "startedAt", ${FINISHED_AT} AS "completedAt" FROM "ParseJob"
  WHERE status IN ('completed', 'failed') AND ${FINISHED_AT} >= now() - $1::float8 * interval '1 millisecond'
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

// Spend per UTC day of the jobs that used an LLM, over the last $1 days (today included).
const SPEND_SQL = `
SELECT to_char(date_trunc('day', ${FINISHED_AT}), 'YYYY-MM-DD') AS day,
       sum("inputTokens")::float8 AS "inputTokens", sum("outputTokens")::float8 AS "outputTokens", sum("costUsd")::float8 AS "costUsd"
FROM "ParseJob"
WHERE ("inputTokens" > 0 OR "outputTokens" > 0) AND ${FINISHED_AT} >= date_trunc('day', now()) - ($1::int - 1) * interval '1 day'
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
