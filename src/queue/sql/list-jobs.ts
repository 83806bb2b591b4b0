import type { Queryable } from '../../db/queryable.js';
import type { JobSummary } from '../jobs.js';
import type { JobStatus } from '../states.js';
import { SUMMARY_COLUMNS } from './fragments.js';

// Newest first; the createdAt index makes this a short index scan however long the history. Two texts rather
// than an optional filter, so each keeps its own plan.
const ALL_SQL = `SELECT ${SUMMARY_COLUMNS} FROM "ParseJob" ORDER BY "createdAt" DESC, id DESC LIMIT $1`;
const BY_STATUS_SQL = `SELECT ${SUMMARY_COLUMNS} FROM "ParseJob" WHERE status::text = ANY($1::text[])
ORDER BY "createdAt" DESC, id DESC LIMIT $2`;

export async function listJobs(db: Queryable, filter: { statuses?: JobStatus[]; limit?: number } = {}): Promise<JobSummary[]> {
  const limit = filter.limit ?? 20;
  const statement = filter.statuses?.length ? { text: BY_STATUS_SQL, values: [filter.statuses, limit] } : { text: ALL_SQL, values: [limit] };
  return (await db.query<JobSummary>(statement)).rows;
}
