import type { JobStatus } from '../queue/states.js';

export const PARSING_STATUSES = ['pending', 'warming', 'parsing', 'completed', 'failed', 'aborted'] as const;
export type ParsingStatus = (typeof PARSING_STATUSES)[number];

// Every unfinished session becomes a job a worker will take: the old app's own progress is not resumable by
// the new pipeline, and a job left `running` would wait for a lease that no worker holds.
export const JOB_STATUS_OF: Record<ParsingStatus, JobStatus> = {
  pending: 'queued',
  warming: 'queued',
  parsing: 'queued',
  completed: 'completed',
  failed: 'failed',
  aborted: 'cancelled',
};

/** Sessions the old app may still be working on; migrating them while it runs would parse them twice. */
export const UNFINISHED: readonly ParsingStatus[] = ['pending', 'warming', 'parsing'];
