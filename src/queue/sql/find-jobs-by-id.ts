import type { Queryable } from '../../db/queryable.js';
import type { JobStatus } from '../states.js';
import { idMatches } from './fragments.js';

// The lookup behind every command that names a job by a whole id or a prefix (`status`, the control
// commands, `show`): at most two rows, because two are enough to know the prefix is ambiguous.
const BY_ID = `SELECT id, status::text AS status, "playbookId" FROM "ParseJob" WHERE ${idMatches('$1', true)}`;
const BY_PREFIX = `SELECT id, status::text AS status, "playbookId" FROM "ParseJob" WHERE ${idMatches('$1', false)} LIMIT 2`;

export interface JobRef {
  id: string;
  status: JobStatus;
  playbookId: string | null;
}

/** `wanted` must be lower case and match ID_PREFIX. */
export async function findJobsById(db: Queryable, wanted: string): Promise<JobRef[]> {
  const { rows } = await db.query<JobRef>({ text: wanted.length === 36 ? BY_ID : BY_PREFIX, values: [wanted] });
  return rows;
}
