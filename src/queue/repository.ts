import { inTransaction, type Queryable, type TransactionPool } from '../db/queryable.js';
import { UserError } from '../errors.js';
import type { JobSummary } from './jobs.js';
import { TransitionRefused, operatorTransition, type JobStatus } from './states.js';
import { lockJob } from './sql/lock-job.js';
import { setStatus, type StatusChange } from './sql/set-status.js';

// The job repository: the one door every subcommand uses to read and change the queue. Only src/queue/ sends
// SQL that names ParseJob, JobEvent or Worker (a test holds the rest of src/ to that), one operation per file
// under sql/. Every state change writes its JobEvent in the same transaction; every change that makes a job
// runnable notifies the workers in that transaction too.

export { enqueueJobs, type EnqueueOutcome } from './sql/enqueue.js';
export { latestCompletedPlaybook } from './sql/latest-completed-playbook.js';
export { countByStatus, getJob, jobEvents, listJobs, liveWorkers, resolveJobId } from './reads.js';

export interface TransitionOptions {
  details?: Record<string, unknown>;
  resetRetries?: StatusChange['resetRetries'];
  resetProgress?: StatusChange['resetProgress'];
}

/**
 * Moves a job to `to` if the state machine (states.ts) has an operator's change from the job's current
 * status, writing that change's event; otherwise throws TransitionRefused and changes nothing. Leaving `running` drops the lease, so the worker that held it can
 * no longer write (its writes are fenced on the lease token) and is told to stop.
 */
export async function transitionJob(pool: TransactionPool, jobId: string, to: JobStatus, options: TransitionOptions = {}) {
  return inTransaction(pool, (tx) => transitionInTx(tx, jobId, to, options));
}

/** transitionJob inside a transaction the caller holds. */
export async function transitionInTx(
  tx: Queryable,
  jobId: string,
  to: JobStatus,
  options: TransitionOptions = {},
): Promise<{ from: JobStatus; job: JobSummary }> {
  const current = await lockJob(tx, jobId);
  if (!current) throw new UserError(`No job has the id ${jobId}.`, 'List jobs with `playbuddy status`.');
  const transition = operatorTransition(current.status, to);
  if (!transition) throw new TransitionRefused(jobId, current.status, to);
  const job = await setStatus(tx, jobId, {
    from: current.status,
    to,
    event: transition.event,
    details: options.details ?? {},
    resetRetries: options.resetRetries,
    resetProgress: options.resetProgress,
  });
  return { from: current.status, job };
}
