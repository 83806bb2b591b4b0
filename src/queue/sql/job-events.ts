import type { Queryable } from '../../db/queryable.js';
import type { JobEventRow } from '../jobs.js';

// The newest `limit` events through the (jobId, createdAt) index, returned oldest first.
const EVENTS_SQL = `
SELECT * FROM (SELECT id, event, details, "createdAt" FROM "JobEvent" WHERE "jobId" = $1 ORDER BY "createdAt" DESC LIMIT $2) e
ORDER BY "createdAt"`;

export async function jobEvents(db: Queryable, jobId: string, limit = 200): Promise<JobEventRow[]> {
  return (await db.query<JobEventRow>({ text: EVENTS_SQL, values: [jobId, limit] })).rows;
}
