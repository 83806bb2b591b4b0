// Every name a JobEvent row can carry, in one place. The ones that record a status change are tied to their
// transitions in states.ts; the rest are written by a running job's handler and change no status.

export const JOB_EVENTS = {
  /** A job is created by `enqueue`. */
  enqueued: 'enqueued',
  /** A job is created from a legacy ParsingSession by `migrate-sessions`. */
  migrated: 'migrated',
  /** A worker claimed the job. */
  claimed: 'running',
  completed: 'completed',
  /** A failed attempt with retries left (or a transient error): the job waits for its next attempt. */
  retrying: 'retrying',
  failed: 'failed',
  /** Its worker stopped renewing the lease; another worker's claim recovered it (retrying or failed). */
  leaseExpired: 'lease-expired',
  /** A worker shutting down handed the job back without using an attempt. */
  released: 'released',
  paused: 'paused',
  cancelled: 'cancelled',
  /** `playbuddy resume`: a paused job is queued again. */
  resumed: 'resumed',
  /** `playbuddy retry`: a failed or cancelled job is queued again with a fresh retry budget. */
  retried: 'retried',

  // Written by the play job while it runs; no status changes.
  /** A run continued from the checkpoint an earlier run saved. */
  resumedFromCheckpoint: 'resumed-from-checkpoint',
  /** A saved checkpoint could not be used, so the run started from the first chunk. */
  restarted: 'restarted',
  /** The parsed play needed repairs before it could be stored. */
  repaired: 'repaired',
  /** A model request failed for a passing reason and was sent again within the attempt. */
  llmRetry: 'llm-retry',
  /**
   * The play this job was to replace (`enqueue --replace`, or an interrupted legacy session's partial play)
   * was kept next to the new one, because app users have rehearsal progress on it. Written in the
   * completing transaction.
   */
  keptReplacedPlay: 'kept-replaced-play',

  // Written for a completed job by another job's completion; no status changes.
  /** A later `enqueue --replace` of the same file stored its play: this job's play was deleted. */
  superseded: 'superseded',
} as const;

export type JobEventName = (typeof JOB_EVENTS)[keyof typeof JOB_EVENTS];

/** Events that change no status (a running job's progress, or a completed job losing its play). */
export const PROGRESS_EVENTS: readonly JobEventName[] = [
  JOB_EVENTS.resumedFromCheckpoint,
  JOB_EVENTS.restarted,
  JOB_EVENTS.repaired,
  JOB_EVENTS.llmRetry,
  JOB_EVENTS.keptReplacedPlay,
  JOB_EVENTS.superseded,
];

/** A name as an SQL string literal, for statements that write it. */
export const sqlLiteral = (name: string) => `'${name.replace(/'/g, "''")}'`;
