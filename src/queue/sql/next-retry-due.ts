import type { Queryable } from '../../db/queryable.js';

// For `work --drain --wait-retries`: how long until the next job that waits (a backed-off retry, or a job
// queued for later) becomes runnable. Served by the runnable-jobs partial index the claim walks.
const NEXT_DUE_SQL = `
SELECT (extract(epoch FROM min("runAfter") - now()) * 1000)::float8 AS ms
FROM "ParseJob" WHERE status IN ('queued', 'retrying') AND "runAfter" > now()`;

/** Milliseconds until the next waiting job falls due, or null when none waits. */
export async function msUntilNextDue(db: Queryable): Promise<number | null> {
  const { rows } = await db.query<{ ms: number | null }>({ text: NEXT_DUE_SQL });
  return rows[0]?.ms ?? null;
}
