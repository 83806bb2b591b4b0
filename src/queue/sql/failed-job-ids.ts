import type { Queryable } from '../../db/queryable.js';

// `retry --all-failed`: oldest first, so a re-run queue keeps the order the jobs were sent in.
const FAILED_SQL = `SELECT id FROM "ParseJob" WHERE status = 'failed' ORDER BY "createdAt"`;

export async function failedJobIds(db: Queryable): Promise<string[]> {
  return (await db.query<{ id: string }>({ text: FAILED_SQL })).rows.map((r) => r.id);
}
