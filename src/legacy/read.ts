import type { Db } from '../db/client.js';
import type { SessionHeader } from './plan.js';
import { UNFINISHED } from './statuses.js';

// Reading ParsingSession rows without their text: a page is a few hundred bytes per session whatever the
// size of the plays, and an already-migrated session's text is never touched.

/**
 * The next `limit` sessions after `afterId`, in id order (keyset pagination on the primary key: each page
 * costs the same however far in it is, and rows deleted behind the cursor do not shift it).
 */
export async function readSessionPage(db: Db, afterId: string, limit: number): Promise<SessionHeader[]> {
  return db.$queryRaw<SessionHeader[]>`
    SELECT s.id, s.status::text AS status, s.filename, s."playbookId", s."currentChunk", s."totalChunks",
           s.title, s.author, s.year, s.genre, s.description, s."startedAt", s."completedAt", s."failureReason",
           jsonb_typeof(s."currentState") AS "contextType",
           j.id AS "migratedJobId",
           CASE WHEN j.id IS NULL THEN s."rawText" !~ '[^[:space:]]' END AS "blankText"
    FROM "ParsingSession" s
    LEFT JOIN "ParseJob" j ON j."legacySessionId" = s.id
    WHERE s.id > ${afterId}
    ORDER BY s.id
    LIMIT ${limit}`;
}

/** All sessions, and the unfinished ones a run would turn into queued jobs. */
export async function countSessions(db: Db): Promise<{ total: number; unfinishedNotMigrated: number }> {
  const [row] = await db.$queryRaw<Array<{ total: number; unfinished: number }>>`
    SELECT count(*)::int AS total,
           (count(*) FILTER (WHERE s.status::text = ANY(${[...UNFINISHED]}::text[])
                              AND s."rawText" ~ '[^[:space:]]'
                              AND NOT EXISTS (SELECT 1 FROM "ParseJob" j WHERE j."legacySessionId" = s.id)))::int AS unfinished
    FROM "ParsingSession" s`;
  return { total: row?.total ?? 0, unfinishedNotMigrated: row?.unfinished ?? 0 };
}
