import type { Queryable } from '../../db/queryable.js';
import type { JobStatus } from '../states.js';

// The first statement of an operator's change to a job. FOR UPDATE: a worker's claim or completion of the
// same job waits for us, or we wait for it, so the status checked is the status changed.
const LOCK_JOB_SQL = `SELECT status::text AS status, filename, "retryCount" FROM "ParseJob" WHERE id = $1 FOR UPDATE`;

export interface LockedJob {
  status: JobStatus;
  filename: string;
  retryCount: number;
}

export async function lockJob(tx: Queryable, id: string): Promise<LockedJob | undefined> {
  return (await tx.query<LockedJob>({ text: LOCK_JOB_SQL, values: [id] })).rows[0];
}

// An operator waits this long at most for a row a worker holds; then the command says what it could not do.
export const OPERATOR_LOCK_WAIT_MS = 2_000;

/** lockJob for an operator's command: gives up after OPERATOR_LOCK_WAIT_MS with PostgreSQL's 55P03. */
export async function lockJobPromptly(tx: Queryable, id: string): Promise<LockedJob | undefined> {
  await tx.query({ text: `SET LOCAL lock_timeout = ${OPERATOR_LOCK_WAIT_MS}` });
  return lockJob(tx, id);
}
