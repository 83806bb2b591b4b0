import type { ParseConfig } from '../parse/parser.js';
import type { JobStatus } from './states.js';

/** What was known about a play before it was parsed (a migrated session's title, author, …). */
export interface PlayMetadata {
  title?: string;
  author?: string;
  year?: number;
  genre?: string;
  description?: string;
}

/** What `ParseJob.config` holds: the parse settings plus where the text came from. Never secrets. */
export interface JobConfig extends ParseConfig {
  source?: { format: string; encoding: string | null; bytes: number };
  /** Fills in what the parsed text does not say. */
  metadata?: PlayMetadata;
}

export interface NewJob {
  rawText: string;
  filename: string;
  config: JobConfig;
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
  config: JobConfig | null;
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
  /** Which handler runs it (the `JobType` of the row). */
  type: string;
  filename: string;
  rawText: string;
  config: JobConfig | null;
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

export interface Checkpoint {
  /** The serialised parsing context to resume from. */
  state: unknown;
  completedChunks: number;
  totalChunks: number;
  /** 0–100 */
  progress: number;
  /** Appended to the job's `checkpoints` array. */
  entry: Record<string, unknown>;
}
