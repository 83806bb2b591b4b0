import { UserError } from '../errors.js';
import { JOB_EVENTS, type JobEventName } from './events.js';

export const JOB_STATUSES = ['queued', 'running', 'paused', 'retrying', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Who makes a change: a worker's statement (sql/), an operator's command (control.ts), or job creation. */
export type Actor = 'create' | 'worker' | 'operator';

export interface Transition {
  /** null: the job is created in `to`. */
  from: JobStatus | null;
  to: JobStatus;
  event: JobEventName;
  by: Actor;
}

const E = JOB_EVENTS;
const each = (froms: Array<JobStatus | null>, to: JobStatus, event: JobEventName, by: Actor): Transition[] =>
  froms.map((from) => ({ from, to, event, by }));

// The state machine: every status change any code makes, with the event it writes. The SQL statements under
// sql/ take their status lists and event names from here, the operator commands look their changes up here,
// and test/queue/state-machine.test.ts drives every statement and checks each event it wrote against this
// list (and that every entry is reached). Anything not listed is refused and changes nothing.
export const TRANSITIONS: readonly Transition[] = [
  ...each([null], 'queued', E.enqueued, 'create'),
  // A legacy session becomes a job in the status its old state maps to (src/legacy/statuses.ts).
  ...each([null], 'queued', E.migrated, 'create'),
  ...each([null], 'completed', E.migrated, 'create'),
  ...each([null], 'failed', E.migrated, 'create'),
  ...each([null], 'cancelled', E.migrated, 'create'),

  ...each(['queued', 'retrying'], 'running', E.claimed, 'worker'),
  ...each(['running'], 'completed', E.completed, 'worker'),
  ...each(['running'], 'retrying', E.retrying, 'worker'),
  ...each(['running'], 'failed', E.failed, 'worker'),
  ...each(['running'], 'retrying', E.leaseExpired, 'worker'),
  ...each(['running'], 'failed', E.leaseExpired, 'worker'),
  ...each(['running'], 'queued', E.released, 'worker'),

  ...each(['queued', 'running', 'retrying'], 'paused', E.paused, 'operator'),
  ...each(['queued', 'running', 'retrying', 'paused'], 'cancelled', E.cancelled, 'operator'),
  ...each(['paused'], 'queued', E.resumed, 'operator'),
  ...each(['failed', 'cancelled'], 'queued', E.retried, 'operator'),
];

/** The statuses `event` moves a job out of (for a statement's WHERE). */
export function fromStatuses(event: JobEventName): JobStatus[] {
  return [...new Set(TRANSITIONS.filter((t) => t.event === event && t.from !== null).map((t) => t.from!))];
}

/** Whether any change leads from `from` to `to`. */
export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS.some((t) => t.from === from && t.to === to);
}

/** The operator's change from `from` to `to`, if there is one. */
export function operatorTransition(from: JobStatus, to: JobStatus): Transition | undefined {
  return TRANSITIONS.find((t) => t.by === 'operator' && t.from === from && t.to === to);
}

/** Jobs a worker may claim (subject to their not-before time). */
export const RUNNABLE: readonly JobStatus[] = fromStatuses(E.claimed);
/**
 * Jobs that are still going to store a play: for the duplicate rule (sql/fragments.ts `duplicateOf`), they
 * hold their text, as does a completed job whose play is still stored.
 */
export const LIVE: readonly JobStatus[] = ['queued', 'running', 'retrying', 'paused'];

/**
 * Jobs that reached an end (a failed or cancelled one can still be retried): they carry completedAt, the time
 * they got there, which the partial index ParseJob_finished_idx holds for health, metrics and prune.
 */
export const FINISHED: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

/** Statuses as an SQL list, for `status IN (…)`. */
export const sqlStatuses = (statuses: readonly JobStatus[]) => statuses.map((s) => `'${s}'`).join(', ');

const VERB: Partial<Record<JobStatus, string>> = {
  cancelled: 'cancelled',
  paused: 'paused',
  queued: 're-queued',
  running: 'started',
  completed: 'completed',
  failed: 'failed',
  retrying: 'retried',
};

export class TransitionRefused extends UserError {
  constructor(
    readonly jobId: string,
    readonly from: JobStatus,
    readonly to: JobStatus,
  ) {
    super(`Job ${jobId.slice(0, 8)} is ${from}; it cannot be ${VERB[to] ?? to}.`, hintFor(from, to));
  }
}

function hintFor(from: JobStatus, to: JobStatus): string | undefined {
  if (from === 'completed') return 'Completed jobs are final; enqueue the file again with --force to parse it anew.';
  if (to === 'queued' && from === 'paused') return undefined;
  if (to === 'queued' && (from === 'failed' || from === 'cancelled')) return 'Use `playbuddy retry`.';
  if (to === 'queued') return 'Only paused jobs can be resumed and only failed or cancelled jobs retried.';
  return undefined;
}
