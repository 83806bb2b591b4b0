import type { Queryable } from '../../db/queryable.js';
import type { JobEventName } from '../events.js';
import type { JobSummary } from '../jobs.js';
import { CONTROL_CHANNEL, JOBS_CHANNEL } from '../notify.js';
import { FINISHED, type JobStatus } from '../states.js';
import { notify } from './notify.js';
import { LEASE_CLEARED, SUMMARY_COLUMNS, insertEvents } from './fragments.js';

// An operator's (or a test's) change of a job's status, run inside the transaction that locked the row
// (lock-job.ts) and checked the state machine. The text is assembled from what the change does, not
// prepared: operator commands are rare, and each variant stays a plain UPDATE.
// - Leaving `running` drops the lease, so the worker that held it can no longer write (its writes are fenced
//   on the lease token), and notifies the control channel so that worker stops the job at once.
// - Becoming `cancelled` (or `failed`) sets completedAt: the job has finished, as a completed one has.
// - Becoming `queued` makes the job runnable now and wakes idle workers; the NOTIFYs are delivered at commit.

export interface StatusChange {
  from: JobStatus;
  to: JobStatus;
  event: JobEventName;
  details: Record<string, unknown>;
  /** retry: a fresh retry budget (the previous count stays in the event). */
  resetRetries?: boolean;
  /** retry --from-scratch: drop the checkpoint too. */
  resetProgress?: boolean;
}

export async function setStatus(tx: Queryable, id: string, change: StatusChange): Promise<JobSummary> {
  const leavingRun = change.from === 'running';
  const sets = [`status = $2::"JobStatus"`, `"updatedAt" = now()`];
  if (leavingRun) sets.push(LEASE_CLEARED);
  if (change.to === 'queued') sets.push(`"runAfter" = now()`);
  // completedAt is when a job reached an end, whichever (health, metrics and prune read it as such).
  if (FINISHED.includes(change.to)) sets.push(`"completedAt" = clock_timestamp()`);
  if (change.resetRetries) sets.push(`"retryCount" = 0, "failureReason" = NULL, "completedAt" = NULL`);
  if (change.resetProgress) {
    sets.push(`"currentState" = NULL, checkpoints = '[]'::jsonb, "completedChunks" = 0, "totalChunks" = NULL, progress = 0, stage = NULL`);
  }
  const text = `
WITH moved AS (
  UPDATE "ParseJob" SET ${sets.join(', ')}
  WHERE id = $1
  RETURNING ${SUMMARY_COLUMNS}
),
event AS (
  ${insertEvents('id', '$3', '$4::jsonb', 'moved')}
)
SELECT * FROM moved`;
  const details = { from: change.from, to: change.to, ...change.details };
  const { rows } = await tx.query<JobSummary>({ text, values: [id, change.to, change.event, JSON.stringify(details)] });
  if (change.to === 'queued') await notify(tx, JOBS_CHANNEL);
  if (leavingRun) await notify(tx, CONTROL_CHANNEL, id);
  return rows[0]!;
}
