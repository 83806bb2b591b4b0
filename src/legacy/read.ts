import type { Db } from '../db/client.js';
import { queryableOverPrisma } from '../db/queryable.js';
import * as queue from '../queue/migration.js';
import type { SessionHeader } from './plan.js';
import { UNFINISHED } from './statuses.js';

// Reading ParsingSession rows without their text (src/queue/sql/migrate-session-page.ts says how).

/**
 * `not-adopted`: an app database playbuddy has not migrated yet (a dry run). No job can have been made from
 * a session there, and there may be no ParseJob table at all, so only ParsingSession is read.
 */
export type SessionSource = 'adopted' | 'not-adopted';

/** Whether the database has the old app's ParsingSession table. */
export async function hasSessionTable(db: Db): Promise<boolean> {
  const [row] = await db.$queryRaw<Array<{ present: boolean }>>`SELECT to_regclass('"ParsingSession"') IS NOT NULL AS present`;
  return Boolean(row?.present);
}

/** The next `limit` sessions after `afterId`, in id order. */
export async function readSessionPage(db: Db, afterId: string, limit: number, source: SessionSource = 'adopted'): Promise<SessionHeader[]> {
  if (source === 'not-adopted') {
    return db.$queryRaw<SessionHeader[]>`
      SELECT s.id, s.status::text AS status, s.filename, s."playbookId", s."currentChunk", s."totalChunks",
             s.title, s.author, s.year, s.genre, s.description, s."startedAt", s."completedAt", s."failureReason",
             jsonb_typeof(s."currentState") AS "contextType", NULL::text AS "migratedJobId",
             s."rawText" !~ '[^[:space:]]' AS "blankText"
      FROM "ParsingSession" s WHERE s.id > ${afterId} ORDER BY s.id LIMIT ${limit}`;
  }
  return (await queue.readSessionPage(queryableOverPrisma(db), afterId, limit)) as SessionHeader[];
}

/** All sessions, and the unfinished ones a run would turn into queued jobs. */
export async function countSessions(db: Db, source: SessionSource = 'adopted'): Promise<{ total: number; unfinishedNotMigrated: number }> {
  if (source === 'not-adopted') {
    const [row] = await db.$queryRaw<Array<{ total: number; unfinished: number }>>`
      SELECT count(*)::int AS total,
             (count(*) FILTER (WHERE s.status::text = ANY(${[...UNFINISHED]}::text[]) AND s."rawText" ~ '[^[:space:]]'))::int AS unfinished
      FROM "ParsingSession" s`;
    return { total: row?.total ?? 0, unfinishedNotMigrated: row?.unfinished ?? 0 };
  }
  return queue.countSessions(queryableOverPrisma(db), UNFINISHED);
}
