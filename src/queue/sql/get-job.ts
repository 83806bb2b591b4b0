import type { Queryable } from '../../db/queryable.js';
import type { JobDetail } from '../jobs.js';
import { SUMMARY_COLUMNS } from './fragments.js';

// One job for `status <id>`: its length instead of its text, which may be megabytes.
const GET_JOB_SQL = `
SELECT ${SUMMARY_COLUMNS}, type::text AS type, config, "contentHash", "lockedAt", "legacySessionId", "replacesPlaybookId",
       length("rawText")::int AS "textLength"
FROM "ParseJob" WHERE id = $1`;

export async function getJobById(db: Queryable, id: string): Promise<JobDetail | undefined> {
  const { rows } = await db.query<JobDetail>({ text: GET_JOB_SQL, values: [id] });
  return rows[0];
}
