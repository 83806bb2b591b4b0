import type { Queryable } from '../../db/queryable.js';
import type { JobStatus } from '../states.js';
import { duplicateOf, parseSettings } from './fragments.js';

// The job an existing job would duplicate if it ran again (`retry`): the newest other job of the same text
// and parse settings that still holds the text (the duplicate rule, fragments.ts). Run under DEDUP_LOCK.
const FIND_DUPLICATE_SQL = `
SELECT o.id, o.status::text AS status
FROM "ParseJob" j
JOIN "ParseJob" o ON o.id <> j.id AND ${duplicateOf('o', 'j."contentHash"', parseSettings('j.config'))}
WHERE j.id = $1
ORDER BY o."createdAt" DESC
LIMIT 1`;

export interface Duplicate {
  id: string;
  status: JobStatus;
}

export async function findDuplicate(db: Queryable, jobId: string): Promise<Duplicate | undefined> {
  return (await db.query<Duplicate>({ text: FIND_DUPLICATE_SQL, values: [jobId] })).rows[0];
}
