import type { Queryable } from '../../db/queryable.js';
import { COMMITTING_KEY } from './committing.js';

// A worker whose grace period ended while it stores a play rolls that transaction back. Its own connection is
// busy with the statement in flight (a batch of lines, or a wait for a lock), so the statement is cancelled
// from another connection. The target is found through the job's committing lock (committing.ts), held
// exclusively only by the transaction storing this job: no backend pid has to be carried around, the real
// one is found behind a transaction-pooling proxy too, and once that transaction has ended (committed or
// rolled back) nothing matches and nothing else is cancelled. Only the statement is cancelled, never the
// session: the worker rolls back and hands the connection back to its pool.
const STOP_SQL = `
SELECT pg_cancel_backend(pid) AS cancelled FROM pg_locks
WHERE locktype = 'advisory' AND classid = ${COMMITTING_KEY} AND objid = hashtext($1)::oid AND objsubid = 2
  AND mode = 'ExclusiveLock' AND granted`;

/** Cancels the statement running in the transaction that stores this job's play; false if there was none. */
export async function stopCommitting(db: Queryable, jobId: string): Promise<boolean> {
  const { rows } = await db.query<{ cancelled: boolean }>({ text: STOP_SQL, values: [jobId] });
  return rows.some((r) => r.cancelled);
}
