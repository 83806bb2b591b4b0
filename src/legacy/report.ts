import type { JobStatus } from '../queue/states.js';
import type { MigratedJob } from './plan.js';
import { PARSING_STATUSES, type ParsingStatus } from './statuses.js';

/** What a run did, or with `dryRun` would do. Lists hold only problem sessions, so it stays small. */
export interface MigrationReport {
  dryRun: boolean;
  /** Sessions read. */
  sessions: number;
  /** Jobs created (dry run: that would be). */
  migrated: number;
  /** Sessions an earlier run already migrated; nothing is written for them. */
  alreadyMigrated: number;
  /**
   * Of `migrated`: unfinished sessions whose text and settings another job already holds; their jobs are
   * cancelled as "duplicate of <job id>" instead of parsing a second play.
   */
  duplicates: number;
  /** Sessions of batches that failed and were rolled back; a later run picks them up. */
  failed: number;
  /** Migrated (or to be) per old → new status. */
  transitions: Array<{ from: ParsingStatus; to: JobStatus; sessions: number }>;
  /** Unfinished sessions with a saved context or progress: the pipeline cannot resume the old format. */
  restarting: number;
  /** Migrated sessions whose saved context is not a JSON object; kept as is, and the job starts over. */
  unreadableContexts: Array<{ sessionId: string; filename: string; status: ParsingStatus }>;
  unmigratable: Array<{ sessionId: string; filename: string; status: ParsingStatus; reason: string }>;
  failedBatches: Array<{ firstSessionId: string; lastSessionId: string; sessions: number; stage: 'write' | 'delete'; error: string }>;
  /** Sessions deleted by --delete-migrated. */
  deleted: number;
  /** --fail-fast stopped the run at a failed batch; sessions after it were not read. */
  stopped: boolean;
}

export function emptyReport(dryRun: boolean): MigrationReport {
  return {
    dryRun,
    sessions: 0,
    migrated: 0,
    alreadyMigrated: 0,
    duplicates: 0,
    failed: 0,
    transitions: [],
    restarting: 0,
    unreadableContexts: [],
    unmigratable: [],
    failedBatches: [],
    deleted: 0,
    stopped: false,
  };
}

/** Counts a job as migrated (or, in a dry run, as one that would be). */
export function countMigrated(report: MigrationReport, job: MigratedJob): void {
  report.migrated++;
  const t = report.transitions.find((x) => x.from === job.from && x.to === job.status);
  if (t) t.sessions++;
  else {
    report.transitions.push({ from: job.from, to: job.status, sessions: 1 });
    report.transitions.sort((a, b) => PARSING_STATUSES.indexOf(a.from) - PARSING_STATUSES.indexOf(b.from));
  }
  if (job.status === 'queued' && (job.context !== 'none' || job.completedChunks > 0)) report.restarting++;
  if (job.context === 'unreadable') report.unreadableContexts.push({ sessionId: job.sessionId, filename: job.filename, status: job.from });
}
