import type { JobStatus } from './states.js';

/** What a job is, and so which handler a worker runs it with (the JobType enum of prisma/schema.prisma). */
export const JOB_TYPES = ['PARSE_PLAY'] as const;
export type JobType = (typeof JOB_TYPES)[number];

export interface NewJob {
  /** PARSE_PLAY unless said otherwise. */
  type?: JobType;
  rawText: string;
  filename: string;
  /** What the job's handler needs besides the text (stored as JSON; never secrets). */
  config: object;
  priority?: number;
  maxRetries?: number;
  /** Set by `enqueue --replace`: the stored play this job's result replaces. */
  replacesPlaybookId?: string | null;
}

/** A job as listed: everything but the (possibly megabytes of) text and the checkpoint payloads. */
export interface JobSummary {
  id: string;
  status: JobStatus;
  priority: number;
  filename: string;
  progress: number;
  /** What the job's (last) attempt was doing, as its handler names it (a play job: parsing, storing). */
  stage: string | null;
  retryCount: number;
  maxRetries: number;
  completedChunks: number;
  totalChunks: number | null;
  lastError: string | null;
  failureReason: string | null;
  workerId: string | null;
  playbookId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  updatedAt: Date;
  runAfter: Date;
  lockExpiry: Date | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface JobDetail extends JobSummary {
  type: JobType;
  /** As its handler reads it (jobs/<type>/config.ts). */
  config: unknown;
  contentHash: string | null;
  textLength: number;
  lockedAt: Date | null;
  legacySessionId: string | null;
  replacesPlaybookId: string | null;
}

export interface JobEventRow {
  id: string;
  event: string;
  details: unknown;
  createdAt: Date;
}

/** A worker's hold on a running job: every write it makes is fenced on both. */
export interface Lease {
  jobId: string;
  leaseToken: string;
}

/** A job as a worker claimed it: what its handler needs to run it, and the lease it runs under. */
export interface ClaimedJob {
  id: string;
  /** Which handler runs it. */
  type: JobType;
  filename: string;
  rawText: string;
  /** As enqueued; its handler reads it (jobs/<type>/config.ts). */
  config: unknown;
  /** 1 for the first run, 2 for the first retry, … */
  attempt: number;
  /** Where the last run stopped (null: start from the beginning). */
  currentState: unknown;
  completedChunks: number;
  totalChunks: number | null;
  checkpoints: unknown[];
  replacesPlaybookId: string | null;
  /** What earlier attempts already spent on LLM calls (the budget counts it). */
  spentCostUsd: number;
  workerId: string;
  leaseToken: string;
}

/** Where a running job is between checkpoints. */
export interface JobProgress {
  /** What the job is doing, as its handler names it. */
  stage: string;
  /** 0–100, of the whole job. */
  progress: number;
}

export interface Checkpoint {
  /** The serialised parsing context to resume from. */
  state: unknown;
  completedChunks: number;
  totalChunks: number;
  /** 0–100 */
  progress: number;
  /** Appended to the job's `checkpoints` array. */
  entry: Record<string, unknown>;
  /** What the job is doing, as its handler names it (absent: unchanged). */
  stage?: string;
}

/** Tokens and estimated cost a job spent on model calls; added to the job's totals. */
export interface JobUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}
