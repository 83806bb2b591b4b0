import type pg from 'pg';
import type { Logger } from '../log/logger.js';
import type { JobEventName } from '../queue/events.js';
import type { Checkpoint, ClaimedJob, JobProgress, JobType, JobUsage } from '../queue/jobs.js';

// The contract between the worker (claiming, leases, retries, operator control) and what a job runs (the
// parse pipeline, or a test's handler). Every write a handler makes goes through the context, which fences
// it on the lease: once the worker no longer holds the job, writes throw LeaseLostError and change nothing.

export type { Checkpoint, ClaimedJob, JobProgress } from '../queue/jobs.js';

export interface JobContext {
  /** Aborted when the job is paused or cancelled, its lease is lost, or the worker is shutting down. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Saves progress in one fenced update. */
  checkpoint(cp: Checkpoint): Promise<void>;
  /** Shows where the job is (its stage and progress) between checkpoints; fenced. Throttle the calls. */
  progress(p: JobProgress): Promise<void>;
  /**
   * The job enters a stage, without a write: the stage goes out with the next `progress`, and with the
   * attempt's failure if it fails before that, so a failed job shows where it stopped.
   */
  enterStage(stage: string): void;
  /** Adds tokens and estimated cost to the job's totals (fenced). */
  addUsage(usage: JobUsage): Promise<void>;
  /** Writes a JobEvent for this job (fenced). */
  event(name: JobEventName, details?: Record<string, unknown>): Promise<void>;
  /**
   * Runs `store` and marks the job completed with the returned playbook, in one transaction that first
   * checks the lease: either the play is stored and the job completed, or neither. When `signal` aborts
   * meanwhile, the transaction is rolled back and this throws the signal's reason.
   */
  complete(store: (tx: StoreTransaction) => Promise<{ playbookId: string }>): Promise<void>;
}

/** The storing transaction's connection, as far as a handler may use it: statements only. */
export type StoreTransaction = Pick<pg.ClientBase, 'query'>;

/**
 * Runs one job to completion (calling `ctx.complete`) or throws TransientError / PermanentError / an abort.
 * A handler that returns without calling `ctx.complete` completes the job with no play stored.
 */
export type JobHandler = (job: ClaimedJob, ctx: JobContext) => Promise<void>;

/** The handlers a worker runs, by job type; a job whose type has none fails, saying so. */
export type JobHandlers = Partial<Record<JobType, JobHandler>>;

/** The worker no longer holds this job's lease: stop, and write nothing more for it. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(readonly jobId: string) {
    super(`the lease on job ${jobId.slice(0, 8)} was lost`);
  }
}
