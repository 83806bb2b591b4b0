import type { Queryable } from '../../db/queryable.js';

// A page of legacy ParsingSession rows without their text, each with the job an earlier migration made from
// it: a page is a few hundred bytes per session whatever the size of the plays, and an already-migrated
// session's text is never touched (`blankText` is computed only where no job exists). Keyset pagination on
// the primary key: each page costs the same however far in it is, and rows deleted behind the cursor do not
// shift it. It lives here because it reads the job table.
const PAGE_SQL = `
SELECT s.id, s.status::text AS status, s.filename, s."playbookId", s."currentChunk", s."totalChunks",
       s.title, s.author, s.year, s.genre, s.description, s."startedAt", s."completedAt", s."failureReason",
       jsonb_typeof(s."currentState") AS "contextType",
       j.id AS "migratedJobId",
       CASE WHEN j.id IS NULL THEN s."rawText" !~ '[^[:space:]]' END AS "blankText"
FROM "ParsingSession" s
LEFT JOIN "ParseJob" j ON j."legacySessionId" = s.id
WHERE s.id > $1
ORDER BY s.id
LIMIT $2`;

export interface LegacySessionRow {
  id: string;
  status: string;
  filename: string;
  playbookId: string;
  currentChunk: number;
  totalChunks: number;
  title: string | null;
  author: string | null;
  year: number | null;
  genre: string | null;
  description: string | null;
  startedAt: Date;
  completedAt: Date | null;
  failureReason: string | null;
  /** `jsonb_typeof(currentState)`; null when the column is empty. */
  contextType: string | null;
  /** Whether the text is empty or whitespace; null when the session is already migrated (text not read). */
  blankText: boolean | null;
  /** The job an earlier run made from this session. */
  migratedJobId: string | null;
}

export async function readSessionPage(db: Queryable, afterId: string, limit: number): Promise<LegacySessionRow[]> {
  return (await db.query<LegacySessionRow>({ text: PAGE_SQL, values: [afterId, limit] })).rows;
}
