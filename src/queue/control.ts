import { inTransaction, type Queryable, type TransactionPool } from '../db/queryable.js';
import { UserError } from '../errors.js';
import { resolveJobId } from './reads.js';
import { transitionInTx } from './repository.js';
import { OPERATOR_LOCK_WAIT_MS, lockJobPromptly } from './sql/lock-job.js';
import { isCommitting } from './sql/committing.js';
import { findDuplicate, type Duplicate } from './sql/find-duplicate.js';
import { DEDUP_LOCK } from './sql/fragments.js';
import { JOB_EVENTS, type JobEventName } from './events.js';
import { TRANSITIONS, TransitionRefused, type JobStatus } from './states.js';

export { failedJobIds } from './sql/failed-job-ids.js';

// The operator's commands on jobs: cancel, pause, resume, retry. Each job is handled in its own transaction
// (a refusal for one never undoes another) through the repository's transition, which checks the state
// machine, writes the JobEvent, and — for a running job — drops the lease and notifies its worker, which
// aborts the job at once.

export type ControlAction = 'cancel' | 'pause' | 'resume' | 'retry';

export type ControlOutcome =
  | { ok: true; input: string; id: string; filename: string; from: JobStatus; to: JobStatus; note?: string }
  | { ok: false; input: string; id?: string; message: string; hint?: string };

const DONE_VERB: Record<ControlAction, string> = { cancel: 'cancelled', pause: 'paused', resume: 'resumed', retry: 'retried' };

const TARGET: Record<ControlAction, JobStatus> = { cancel: 'cancelled', pause: 'paused', resume: 'queued', retry: 'queued' };

// Each command is one event of the state machine; the statuses it accepts are that event's declared ones.
const EVENT: Record<ControlAction, JobEventName> = {
  cancel: JOB_EVENTS.cancelled,
  pause: JOB_EVENTS.paused,
  resume: JOB_EVENTS.resumed,
  retry: JOB_EVENTS.retried,
};

// `resume` and `retry` both lead to `queued`; each accepts only its own starting states, so a typo between
// them is refused with a pointer to the right command instead of silently doing the other thing.
const WRONG_COMMAND: Partial<Record<ControlAction, string>> = {
  resume: 'Only paused jobs can be resumed; failed or cancelled ones are re-run with `playbuddy retry`.',
  retry: 'Only failed or cancelled jobs can be retried; a paused one continues with `playbuddy resume`.',
};

export interface ControlOptions {
  /** retry: drop the checkpoint and parse from the beginning. */
  fromScratch?: boolean;
  /** retry: even when another job holds the same text with the same settings (a second play). */
  force?: boolean;
}

export async function controlJobs(db: TransactionPool, action: ControlAction, inputs: string[], options: ControlOptions = {}): Promise<ControlOutcome[]> {
  const outcomes: ControlOutcome[] = [];
  for (const input of inputs) {
    let id: string | undefined;
    try {
      id = await resolveJobId(db, input);
      const jobId = id;
      // A retry decides by the duplicate rule, under the lock every such decision takes.
      const begin = action === 'retry' && !options.force ? `BEGIN; ${DEDUP_LOCK}` : 'BEGIN';
      outcomes.push(await inTransaction(db, (tx) => controlOne(tx, action, jobId, input, options), begin));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      outcomes.push({ ok: false, input, id, message: err.message, hint: err.hint });
    }
  }
  return outcomes;
}

async function controlOne(tx: Queryable, action: ControlAction, id: string, input: string, options: ControlOptions): Promise<ControlOutcome> {
  const to = TARGET[action];
  // A worker storing the job's play holds its row until it commits: say so at once rather than wait for it.
  if (await isCommitting(tx, id)) {
    return {
      ok: false,
      input,
      id,
      message: `Job ${id.slice(0, 8)} is being committed by its worker right now (its play is being stored); it could not be ${DONE_VERB[action]}.`,
      hint: `In a moment it is completed; \`playbuddy status ${id.slice(0, 8)}\` shows it.`,
    };
  }
  // Locked, so the status checked here is the one transitionInTx changes (it locks the same row again). Never
  // for long: a worker frozen inside a transaction holds the row until the server ends that transaction.
  let row;
  try {
    row = await lockJobPromptly(tx, id);
  } catch (err) {
    if ((err as { code?: string }).code !== '55P03') throw err;
    return {
      ok: false,
      input,
      id,
      message: `Job ${id.slice(0, 8)} is locked by its worker, which did not let go within ${OPERATOR_LOCK_WAIT_MS / 1000} s; it could not be ${DONE_VERB[action]}.`,
      hint: 'Its worker may be frozen or cut off: the database frees the job within its lease. Run the command again then.',
    };
  }
  if (!row) throw new UserError(`No job has the id ${id}.`, 'List jobs with `playbuddy status`.');
  if (!TRANSITIONS.some((t) => t.by === 'operator' && t.event === EVENT[action] && t.from === row.status)) {
    const refusal = new TransitionRefused(id, row.status, to);
    const other = WRONG_COMMAND[action];
    if (!other) throw refusal;
    return { ok: false, input, id, message: refusal.message, hint: row.status === 'completed' ? refusal.hint : other };
  }
  if (action === 'retry' && !options.force) {
    const duplicate = await findDuplicate(tx, id);
    if (duplicate) return { ok: false, input, id, ...duplicateRefusal(id, duplicate) };
  }
  const { from } = await transitionInTx(tx, id, to, {
    details: { by: 'operator', ...(action === 'retry' ? { fromScratch: Boolean(options.fromScratch), previousRetries: row.retryCount } : {}) },
    // A retry is a fresh start of the retry budget; the previous count stays in the JobEvent.
    resetRetries: action === 'retry',
    resetProgress: action === 'retry' && Boolean(options.fromScratch),
  });
  return { ok: true, input, id, filename: row.filename, from, to, note: noteFor(action, from, options) };
}

function duplicateRefusal(id: string, duplicate: Duplicate): { message: string; hint: string } {
  const other = `job ${duplicate.id.slice(0, 8)}`;
  return {
    message:
      duplicate.status === 'completed'
        ? `Job ${id.slice(0, 8)} was not retried: ${other} already stored a play of the same text with the same settings.`
        : `Job ${id.slice(0, 8)} was not retried: ${other} (${duplicate.status}) already parses the same text with the same settings.`,
    hint: `Retry with --force to parse it a second time anyway, or leave it to ${other}.`,
  };
}

function noteFor(action: ControlAction, from: JobStatus, options: ControlOptions): string | undefined {
  if (from === 'running') return 'its worker stops it now';
  if (action === 'retry') return options.fromScratch ? 'from the beginning' : 'from its last checkpoint';
  if (action === 'resume') return 'from its last checkpoint';
  return undefined;
}
