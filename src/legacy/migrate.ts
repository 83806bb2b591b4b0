import type { Db } from '../db/client.js';
import { errorMessage } from '../errors.js';
import type { PlayJobConfig } from '../jobs/parse-play/config.js';
import { planSession, type MigratedJob } from './plan.js';
import { readSessionPage, type SessionSource } from './read.js';
import { countMigrated, emptyReport, type MigrationReport } from './report.js';
import { deleteMigratedSessions, insertMigratedJobs } from './write.js';

// Moves every ParsingSession into the queue, one page of sessions per transaction. Only the page being
// written is held in memory, without texts or contexts, so 100,000 sessions cost what 500 do.

export interface MigrateOptions {
  batchSize: number;
  /** The parse settings every migrated job gets. */
  parse: PlayJobConfig;
  dryRun?: boolean;
  failFast?: boolean;
  deleteMigrated?: boolean;
  /** Read an app database playbuddy has not adopted yet (dry runs only). */
  source?: SessionSource;
  /** Called after each batch, e.g. to log progress. */
  onBatch?: (report: MigrationReport) => void;
}

export async function migrateSessions(db: Db, options: MigrateOptions): Promise<MigrationReport> {
  const report = emptyReport(Boolean(options.dryRun));
  let cursor = '';
  for (;;) {
    const page = await readSessionPage(db, cursor, options.batchSize, options.source);
    if (page.length === 0) break;
    cursor = page[page.length - 1]!.id;
    report.sessions += page.length;

    const toWrite: MigratedJob[] = [];
    const migratedBefore: string[] = [];
    for (const session of page) {
      const plan = planSession(session, options.parse);
      if (plan.kind === 'migrate') toWrite.push(plan.job);
      else if (plan.kind === 'already-migrated') {
        report.alreadyMigrated++;
        migratedBefore.push(session.id);
      } else {
        report.unmigratable.push({ sessionId: session.id, filename: session.filename, status: session.status, reason: plan.reason });
      }
    }
    const batch = { firstSessionId: page[0]!.id, lastSessionId: cursor, sessions: page.length };

    if (options.dryRun) {
      for (const job of toWrite) countMigrated(report, job);
    } else {
      const written = await writeBatch(db, toWrite, report, batch);
      // A rolled-back batch deletes nothing, not even its already-migrated sessions: the rerun it needs
      // anyway will find and delete them.
      if (options.deleteMigrated && written) await deleteBatch(db, [...migratedBefore, ...toWrite.map((j) => j.sessionId)], report, batch);
    }
    options.onBatch?.(report);
    if (options.failFast && report.failedBatches.length > 0) {
      report.stopped = true;
      break;
    }
    if (page.length < options.batchSize) break;
  }
  return report;
}

type BatchRange = Pick<MigrationReport['failedBatches'][number], 'firstSessionId' | 'lastSessionId' | 'sessions'>;

/** Writes the batch in one transaction; on failure nothing of it is kept and the failure is reported. */
async function writeBatch(db: Db, jobs: MigratedJob[], report: MigrationReport, batch: BatchRange): Promise<boolean> {
  try {
    const written = new Map((await insertMigratedJobs(db, jobs)).map((i) => [i.sessionId, i]));
    for (const job of jobs) {
      const inserted = written.get(job.sessionId);
      // Not inserted: a concurrent run migrated it between our read and our insert.
      if (!inserted) report.alreadyMigrated++;
      else if (inserted.duplicateOf) {
        report.duplicates++;
        countMigrated(report, { ...job, status: 'cancelled' });
      } else countMigrated(report, job);
    }
    return true;
  } catch (err) {
    report.failed += jobs.length;
    report.failedBatches.push({ ...batch, stage: 'write', error: databaseError(err) });
    return false;
  }
}

async function deleteBatch(db: Db, sessionIds: string[], report: MigrationReport, batch: BatchRange): Promise<void> {
  try {
    report.deleted += await deleteMigratedSessions(db, sessionIds);
  } catch (err) {
    report.failedBatches.push({ ...batch, stage: 'delete', error: databaseError(err) });
  }
}

/** The database's own sentence, not Prisma's multi-line wrapper around it (which names the call site). */
function databaseError(err: unknown): string {
  const meta = (err as { meta?: { message?: unknown } } | null)?.meta;
  if (typeof meta?.message === 'string') return meta.message;
  const lines = errorMessage(err).split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? 'unknown error';
}
