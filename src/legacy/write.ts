import type { Db } from '../db/client.js';
import { queryableOverPrisma } from '../db/queryable.js';
import * as queue from '../queue/migration.js';
import type { MigratedJob } from './plan.js';

// Writing one batch of migrated jobs through the queue's statements (src/queue/sql/migrate-*.ts), in one
// Prisma transaction so the batch commits or rolls back whole.

// Copying a batch of 5 MB plays takes far longer than Prisma's default 5 s for an interactive transaction.
const BATCH_TIMEOUT_MS = 15 * 60_000;

export type { InsertedJob } from '../queue/migration.js';

/**
 * Inserts the batch's jobs with their `migrated` events in one transaction, and wakes idle workers if any
 * job is queued. A session another run migrated meanwhile is left out, neither duplicated nor counted.
 */
export async function insertMigratedJobs(db: Db, jobs: MigratedJob[]): Promise<queue.InsertedJob[]> {
  if (jobs.length === 0) return [];
  const rows = jobs.map(
    (j): queue.MigratedJobRow => ({
      ...j,
      event: { sessionId: j.sessionId, from: j.from, to: j.status, context: j.context, legacyPlaybookId: j.legacyPlaybookId },
    }),
  );
  return db.$transaction((tx) => queue.insertMigratedJobs(queryableOverPrisma(tx), rows), { timeout: BATCH_TIMEOUT_MS, maxWait: 30_000 });
}

/** Deletes those of `sessionIds` whose job exists (checked by the deleting statement itself). */
export async function deleteMigratedSessions(db: Db, sessionIds: string[]): Promise<number> {
  return queue.deleteMigratedSessions(queryableOverPrisma(db), sessionIds);
}
