import type pg from 'pg';
import type { Logger } from '../log/logger.js';
import { errorMessage } from '../errors.js';
import { addUsage, completeJob, lockLease, lockReplacedFile, markCommitting, stopCommitting, supersedeOtherPlays, writeCheckpoint, writeEvent, writeProgress, type Lease } from '../queue/lease.js';
import { LeaseLostError, type ClaimedJob, type JobContext, type StoreTransaction } from './handler.js';

/** Why the worker aborted a job's signal; the signal's `reason`. */
export type StopCause = 'operator' | 'lease-lost' | 'shutdown';

export class JobStopped extends Error {
  override readonly name = 'JobStopped';
  constructor(
    readonly jobId: string,
    readonly stopCause: StopCause,
  ) {
    super(
      stopCause === 'shutdown'
        ? `the worker is shutting down; job ${jobId.slice(0, 8)} stops at its checkpoint`
        : stopCause === 'operator'
          ? `job ${jobId.slice(0, 8)} was paused or cancelled`
          : `the lease on job ${jobId.slice(0, 8)} was lost`,
    );
  }
}

export interface ContextDeps {
  pool: pg.Pool;
  leaseMs: number;
  log: Logger;
  job: ClaimedJob;
  signal: AbortSignal;
  /** Called after each saved checkpoint: throws when the worker is shutting down, so the job stops right there. */
  afterCheckpoint(): void;
  /** A fenced write matched nothing: the worker no longer holds the job. */
  leaseLost(): void;
  /** The job entered a stage (recorded with its failure, should it fail). */
  stageEntered(stage: string): void;
  completed(): void;
}

// How long storing a play may take inside its transaction (a long play is tens of thousands of rows).
const STORE_TIMEOUT_MS = 120_000;

export function createJobContext(deps: ContextDeps): JobContext {
  const lease: Lease = { jobId: deps.job.id, leaseToken: deps.job.leaseToken };
  const fenced = (held: boolean): void => {
    if (held) return;
    deps.leaseLost();
    throw new LeaseLostError(lease.jobId);
  };
  return {
    signal: deps.signal,
    log: deps.log,
    async checkpoint(cp) {
      fenced(await writeCheckpoint(deps.pool, lease, cp, deps.leaseMs));
      deps.afterCheckpoint();
    },
    async progress(p) {
      deps.stageEntered(p.stage);
      fenced(await writeProgress(deps.pool, lease, p));
    },
    enterStage: (stage) => deps.stageEntered(stage),
    async addUsage(usage) {
      fenced(await addUsage(deps.pool, lease, usage));
    },
    async event(name, details) {
      fenced(await writeEvent(deps.pool, lease, name, details));
    },
    async complete(store) {
      // Stopped before it got here (the grace period ended as parsing finished): nothing is stored.
      if (deps.signal.aborted) throw deps.signal.reason;
      // Plain pg: the play is written with the job's completion in one transaction on one connection (the
      // store's statements carry whole columns, which pg sends as they are).
      const client = await deps.pool.connect();
      let broken: Error | undefined;
      // A connection lost mid-transaction also fails the statement in flight, which is what reports it; the
      // client's own error event must not end the process meanwhile.
      const lostConnection = (err: Error) => (broken = err);
      client.on('error', lostConnection);
      // Storing a long play takes seconds. When the job is stopped meanwhile (the worker's grace period ended,
      // or its lease was lost) the store must not run on to its commit: no further statement is sent, and the
      // one in flight is cancelled, so the transaction rolls back whole and the worker hands the job back.
      let stopping = false;
      const send = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      const tx = { query: (...args: unknown[]) => (stopping ? Promise.reject(deps.signal.reason) : send(...args)) } as unknown as StoreTransaction;
      const stop = () => {
        stopping = true;
        stopCommitting(deps.pool, lease.jobId).catch((err: unknown) =>
          deps.log.warn({ err: errorMessage(err) }, 'could not cancel the statement storing the play; the transaction rolls back after it'),
        );
      };
      deps.signal.addEventListener('abort', stop, { once: true });
      try {
        await tx.query('BEGIN');
        // A store that hangs must not hold the job's row and the play's locks for ever.
        // Nor must a worker frozen or cut off inside it hold the job's row past its lease: the server ends an
        // idle transaction (and a lock wait) after a lease, so the row is free by the time another worker may
        // recover the job. SET LOCAL: these go with the transaction, also through a transaction-pooling proxy.
        const leaseMs = Math.max(1, Math.round(deps.leaseMs));
        await tx.query(
          `SET LOCAL statement_timeout = ${STORE_TIMEOUT_MS}; SET LOCAL idle_in_transaction_session_timeout = ${leaseMs}; SET LOCAL lock_timeout = ${leaseMs}`,
        );
        // Operators' pause and cancel see this and answer at once that the job is being committed; a stop
        // finds the transaction's backend by it.
        await markCommitting(tx, lease.jobId);
        // Lock the row first: an operator's pause or cancel now waits for this transaction (and then finds
        // the job completed) instead of slipping in between storing the play and completing the job.
        fenced(await lockLease(tx, lease));
        // `enqueue --replace`: this play becomes the file's only one, however many replace jobs of the file
        // were queued and in whatever order they finish.
        const flags = (deps.job.config ?? {}) as { replace?: boolean; discardProgress?: boolean };
        const replacing = Boolean(flags.replace || deps.job.replacesPlaybookId);
        if (replacing) await lockReplacedFile(tx, deps.job.filename);
        const { playbookId } = await store(tx);
        if (replacing && playbookId) {
          const job = { id: deps.job.id, filename: deps.job.filename, discardProgress: Boolean(flags.discardProgress) };
          await supersedeOtherPlays(tx, job, playbookId);
        }
        fenced(await completeJob(tx, lease, playbookId));
        await tx.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
        // A cancelled statement is how a stop shows up here; the stop is what happened.
        throw stopping ? deps.signal.reason : err;
      } finally {
        deps.signal.removeEventListener('abort', stop);
        // A connection that broke (or whose rollback failed) is dropped rather than handed to the next job.
        client.off('error', lostConnection);
        client.release(broken);
      }
      deps.completed();
    },
  };
}
