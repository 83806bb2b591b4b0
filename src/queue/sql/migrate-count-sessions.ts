import type { Queryable } from '../../db/queryable.js';

// What `migrate-sessions` reports before it starts: all sessions, and the unfinished ones (statuses the
// caller names) with a text that no job was made from yet, which a run would turn into queued jobs.
const COUNT_SQL = `
SELECT count(*)::int AS total,
       (count(*) FILTER (WHERE s.status::text = ANY($1::text[])
                          AND s."rawText" ~ '[^[:space:]]'
                          AND NOT EXISTS (SELECT 1 FROM "ParseJob" j WHERE j."legacySessionId" = s.id)))::int AS unfinished
FROM "ParsingSession" s`;

export async function countSessions(db: Queryable, unfinished: readonly string[]): Promise<{ total: number; unfinishedNotMigrated: number }> {
  const { rows } = await db.query<{ total: number; unfinished: number }>({ text: COUNT_SQL, values: [[...unfinished]] });
  return { total: rows[0]?.total ?? 0, unfinishedNotMigrated: rows[0]?.unfinished ?? 0 };
}
