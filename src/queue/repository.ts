import type pg from 'pg';
import type { SqlClient } from '../db/pool.js';
import { Prisma, type Db } from '../db/client.js';
import { UserError } from '../errors.js';
import { contentHash } from './hash.js';
import type { JobConfig, JobDetail, JobEventRow, JobSummary, NewJob } from './jobs.js';
import { CONTROL_CHANNEL, JOBS_CHANNEL } from './notify.js';
import { JOB_STATUSES, TransitionRefused, canTransition, type JobStatus } from './states.js';
import { enqueueStatement, type EnqueueRow } from './enqueue-sql.js';

// The job repository: the one module every subcommand uses to read and change the queue. Every state change
// writes its JobEvent in the same transaction; every change that makes a job runnable notifies the workers
// in that transaction too.

type Tx = Prisma.TransactionClient;

const SUMMARY_SELECT = {
  id: true,
  status: true,
  priority: true,
  filename: true,
  progress: true,
  retryCount: true,
  maxRetries: true,
  completedChunks: true,
  totalChunks: true,
  lastError: true,
  failureReason: true,
  workerId: true,
  playbookId: true,
  createdAt: true,
  startedAt: true,
  completedAt: true,
  updatedAt: true,
  runAfter: true,
  lockExpiry: true,
  inputTokens: true,
  outputTokens: true,
  costUsd: true,
} as const satisfies Prisma.ParseJobSelect;

// ---------------------------------------------------------------------------------------------------------
// Enqueue
// ---------------------------------------------------------------------------------------------------------

export type EnqueueOutcome =
  | { kind: 'enqueued'; id: string; filename: string; contentHash: string }
  | { kind: 'duplicate'; filename: string; contentHash: string; existingId: string; existingStatus: JobStatus };

// Serialises de-duplicating enqueues, so two cron runs importing the same file at once cannot both insert it.
// One lock for all hashes: a per-hash lock would take one lock-table slot per job on a 10,000-job import.
const ENQUEUE_LOCK_KEY = 0x656e71; // "enq"

/**
 * Inserts jobs in one transaction. Without `force`, a text whose hash already has a live or completed job (or
 * appears earlier in the same call) is skipped and reported instead. Through a pg pool it is three round
 * trips (begin with the lock, the statement, commit); a Prisma client works too, for callers holding one.
 */
export async function enqueueJobs(client: pg.Pool | Db, jobs: NewJob[], options: { force?: boolean } = {}): Promise<EnqueueOutcome[]> {
  if (jobs.length === 0) return [];
  const rows = jobs.map((j) => ({ ...j, hash: contentHash(j.rawText) }));
  const force = Boolean(options.force);
  const { text, values } = enqueueStatement(rows, force);
  const begin = force ? 'BEGIN' : `BEGIN; SELECT pg_advisory_xact_lock(${ENQUEUE_LOCK_KEY})`;
  let result: EnqueueRow[];
  if ('$transaction' in client) {
    result = await client.$transaction(
      async (tx) => {
        if (!force) await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${ENQUEUE_LOCK_KEY})`);
        return tx.$queryRawUnsafe<EnqueueRow[]>(text, ...values);
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
  } else {
    const c = await client.connect();
    try {
      await c.query(begin);
      result = (await c.query<EnqueueRow>(text, values)).rows;
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  }
  return result.map((r): EnqueueOutcome => {
    const job = rows[r.n - 1]!;
    return r.newId
      ? { kind: 'enqueued', id: r.newId, filename: job.filename, contentHash: job.hash }
      : { kind: 'duplicate', filename: job.filename, contentHash: job.hash, existingId: r.existingId!, existingStatus: r.existingStatus as JobStatus };
  });
}

export { countByStatus, getJob, jobEvents, listJobs, liveWorkers, resolveJobId } from './reads.js';

// ---------------------------------------------------------------------------------------------------------
// State changes
// ---------------------------------------------------------------------------------------------------------

export interface TransitionOptions {
  /** The audit event's name; defaults to the target status. */
  event?: string;
  details?: Record<string, unknown>;
  /** Further columns to set in the same update. */
  data?: Prisma.ParseJobUpdateInput;
}

/**
 * Moves a job to `to` if the state machine allows it from the job's current status; otherwise throws
 * TransitionRefused and changes nothing. Leaving `running` drops the lease, so the worker that held it can
 * no longer write (its writes are fenced on the lease token) and is told to stop.
 */
export async function transitionJob(db: Db, jobId: string, to: JobStatus, options: TransitionOptions = {}) {
  return db.$transaction((tx) => transitionInTx(tx, jobId, to, options));
}

export async function transitionInTx(tx: Tx, jobId: string, to: JobStatus, options: TransitionOptions = {}) {
  // FOR UPDATE: a worker's claim or completion of the same job waits for us, or we wait for it, so the
  // status we check is the status we change.
  const [current] = await tx.$queryRaw<Array<{ status: JobStatus }>>`
    SELECT status::text AS status FROM "ParseJob" WHERE id = ${jobId} FOR UPDATE`;
  if (!current) throw new UserError(`No job has the id ${jobId}.`, 'List jobs with `playbuddy status`.');
  if (!canTransition(current.status, to)) throw new TransitionRefused(jobId, current.status, to);
  const leavingRun = current.status === 'running';
  const updated = await tx.parseJob.update({
    where: { id: jobId },
    data: {
      ...options.data,
      status: to,
      ...(leavingRun ? { workerId: null, lockedAt: null, lockExpiry: null, leaseToken: null } : {}),
      ...(to === 'queued' ? { runAfter: new Date() } : {}),
    },
    select: SUMMARY_SELECT,
  });
  await tx.jobEvent.create({
    data: {
      jobId,
      event: options.event ?? to,
      details: { from: current.status, to, ...options.details } as Prisma.InputJsonValue,
    },
  });
  if (to === 'queued') await tx.$executeRaw`SELECT pg_notify(${JOBS_CHANNEL}, '')`;
  if (leavingRun) await tx.$executeRaw`SELECT pg_notify(${CONTROL_CHANNEL}, ${jobId})`;
  return { from: current.status, job: updated };
}

/** The play stored by the newest completed job of this file name (what `enqueue --replace` replaces). */
export async function latestCompletedPlaybook(client: SqlClient, filename: string): Promise<string | null> {
  const { rows } = await client.query<{ playbookId: string }>(
    `SELECT "playbookId" FROM "ParseJob" WHERE filename = $1 AND status = 'completed' AND "playbookId" IS NOT NULL
     ORDER BY "completedAt" DESC LIMIT 1`,
    [filename],
  );
  return rows[0]?.playbookId ?? null;
}
