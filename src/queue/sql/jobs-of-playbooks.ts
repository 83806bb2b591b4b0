import type { Queryable } from '../../db/queryable.js';

// Which job stored each play (the newest, if a play was stored again), for `plays` and `show`. One statement
// for a whole page of plays; each lookup is one probe of the playbookId index.
const JOBS_OF_SQL = `
SELECT p.id AS "playbookId", j.id AS "jobId", j.filename
FROM unnest($1::text[]) AS p(id)
JOIN LATERAL (
  SELECT id, filename FROM "ParseJob" WHERE "playbookId" = p.id ORDER BY "completedAt" DESC NULLS LAST LIMIT 1
) j ON true`;

export interface StoringJob {
  jobId: string;
  filename: string;
}

export async function jobsOfPlaybooks(db: Queryable, playbookIds: string[]): Promise<Map<string, StoringJob>> {
  if (playbookIds.length === 0) return new Map();
  const { rows } = await db.query<StoringJob & { playbookId: string }>({ text: JOBS_OF_SQL, values: [playbookIds] });
  return new Map(rows.map((r) => [r.playbookId, { jobId: r.jobId, filename: r.filename }]));
}
