import type { Queryable } from '../../db/queryable.js';

// A job whose worker is storing its play holds its row locked until the play and the completion commit
// together; an operator's pause or cancel must not sit behind that lock. The storing transaction also holds
// this per-job advisory lock, so an operator's command can tell "being committed" at once (its shared try
// fails) and say so, instead of waiting and then finding the job completed. Both are transaction locks:
// they go with the transaction, whichever way it ends, and work through a transaction-pooling proxy.

export const COMMITTING_KEY = 0x636d74; // "cmt"

const MARK_SQL = `SELECT 1 FROM pg_advisory_xact_lock(${COMMITTING_KEY}, hashtext($1))`;
const PROBE_SQL = `SELECT pg_try_advisory_xact_lock_shared(${COMMITTING_KEY}, hashtext($1)) AS free`;

/** The worker, first in its storing transaction: this job is being committed. */
export async function markCommitting(tx: Queryable, jobId: string): Promise<void> {
  await tx.query({ text: MARK_SQL, values: [jobId] });
}

/** An operator's command, in its own transaction: whether a worker is committing the job right now. */
export async function isCommitting(tx: Queryable, jobId: string): Promise<boolean> {
  return !(await tx.query<{ free: boolean }>({ text: PROBE_SQL, values: [jobId] })).rows[0]!.free;
}
