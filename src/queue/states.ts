import { UserError } from '../errors.js';

export const JOB_STATUSES = ['queued', 'running', 'paused', 'retrying', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

// The transitions of the data model (design note plus those a real worker and the operator commands need).
// Anything not listed is refused and changes nothing.
const ALLOWED: Record<JobStatus, readonly JobStatus[]> = {
  queued: ['running', 'cancelled', 'paused'],
  running: ['completed', 'retrying', 'failed', 'paused', 'cancelled', 'queued'],
  retrying: ['running', 'failed', 'cancelled', 'paused'],
  paused: ['queued', 'cancelled'],
  failed: ['queued'],
  cancelled: ['queued'],
  completed: [],
};

/** Jobs a worker may claim (subject to their not-before time). */
export const RUNNABLE: readonly JobStatus[] = ['queued', 'retrying'];
/** Jobs that still count as "this text is taken care of" for enqueue's de-duplication. */
export const LIVE_OR_DONE: readonly JobStatus[] = ['queued', 'running', 'retrying', 'paused', 'completed'];

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function allowedFrom(to: JobStatus): JobStatus[] {
  return JOB_STATUSES.filter((from) => ALLOWED[from].includes(to));
}

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
    super(
      `Job ${jobId.slice(0, 8)} is ${from}; it cannot be ${VERB[to] ?? to}.`,
      hintFor(from, to),
    );
  }
}

function hintFor(from: JobStatus, to: JobStatus): string | undefined {
  if (from === 'completed') return 'Completed jobs are final; enqueue the file again with --force to parse it anew.';
  if (to === 'queued' && from === 'paused') return undefined;
  if (to === 'queued' && (from === 'failed' || from === 'cancelled')) return 'Use `playbuddy retry`.';
  if (to === 'queued') return 'Only paused jobs can be resumed and only failed or cancelled jobs retried.';
  return undefined;
}
