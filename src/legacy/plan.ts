import type { PlayJobConfig, PlayMetadata } from '../jobs/parse-play/config.js';
import type { LegacySessionRow, MigratedJobRow } from '../queue/migration.js';
import type { JobStatus } from '../queue/states.js';
import { JOB_STATUS_OF, type ParsingStatus } from './statuses.js';

// What one ParsingSession becomes: a pure function of the session's columns (never its text or context,
// which the database copies itself), so a batch of 5 MB plays costs the CLI a few hundred bytes per session.

/** The session columns the migration decides from; `rawText` and `currentState` stay in the database. */
export interface SessionHeader extends Omit<LegacySessionRow, 'status'> {
  status: ParsingStatus;
}

/** `saved`: an old-app context object; `unreadable`: anything else the column holds. Neither is resumable. */
export type ContextKind = 'none' | 'saved' | 'unreadable';

/** A session as a job: the queue's row (src/queue/sql/migrate-insert-jobs.ts) with what the event records. */
export interface MigratedJob extends Omit<MigratedJobRow, 'config' | 'event'> {
  from: ParsingStatus;
  config: PlayJobConfig;
  context: ContextKind;
  /** The play the old app had started or finished, recorded in the job's history. */
  legacyPlaybookId: string;
}

export type SessionPlan =
  | { kind: 'migrate'; job: MigratedJob }
  | { kind: 'already-migrated'; jobId: string }
  | { kind: 'unmigratable'; reason: string };

export function planSession(s: SessionHeader, parse: PlayJobConfig): SessionPlan {
  if (s.migratedJobId) return { kind: 'already-migrated', jobId: s.migratedJobId };
  if (s.blankText) return { kind: 'unmigratable', reason: 'its text is empty, so there is nothing to parse' };

  const status = JOB_STATUS_OF[s.status];
  const totalChunks = s.totalChunks > 0 ? s.totalChunks : null;
  const completedChunks = s.status === 'completed' && totalChunks ? totalChunks : clamp(s.currentChunk, 0, totalChunks ?? 0);
  const ended = status === 'failed' || status === 'cancelled';
  const metadata = playMetadata(s);
  return {
    kind: 'migrate',
    job: {
      sessionId: s.id,
      from: s.status,
      status,
      filename: s.filename,
      config: metadata ? { ...parse, metadata } : { ...parse },
      playbookId: status === 'completed' ? s.playbookId : null,
      totalChunks,
      completedChunks,
      progress: progressOf(status, completedChunks, totalChunks),
      // A queued job showing a failure reason would read as failed; the old error stays visible as the last one.
      failureReason: ended ? s.failureReason : null,
      lastError: s.failureReason,
      createdAt: s.startedAt,
      // A queued job has not started under the queue; the worker stamps its own start when it claims it.
      startedAt: status === 'queued' ? null : s.startedAt,
      completedAt: s.completedAt,
      context: contextKind(s.contextType),
      legacyPlaybookId: s.playbookId,
    },
  };
}

export function contextKind(jsonType: string | null): ContextKind {
  if (jsonType === null || jsonType === 'null') return 'none';
  return jsonType === 'object' ? 'saved' : 'unreadable';
}

function playMetadata(s: SessionHeader): PlayMetadata | undefined {
  const m: PlayMetadata = {};
  if (s.title?.trim()) m.title = s.title;
  if (s.author?.trim()) m.author = s.author;
  if (s.year !== null) m.year = s.year;
  if (s.genre?.trim()) m.genre = s.genre;
  if (s.description?.trim()) m.description = s.description;
  return Object.keys(m).length > 0 ? m : undefined;
}

function progressOf(status: JobStatus, done: number, total: number | null): number {
  if (status === 'completed') return 100;
  if (!total) return 0;
  return Math.round((done / total) * 1000) / 10;
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(Math.max(n, min), max);
}
