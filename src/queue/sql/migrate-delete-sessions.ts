import type { Queryable } from '../../db/queryable.js';

// Deletes those of the sessions whose job exists, checked in the deleting statement itself: a session goes
// only once its job row is committed and visible, never on the strength of what the migrating process
// believes. Counted through RETURNING so any client reports the same number.
const DELETE_SQL = `
WITH deleted AS (
  DELETE FROM "ParsingSession" s
  WHERE s.id = ANY($1::text[])
    AND EXISTS (SELECT 1 FROM "ParseJob" j WHERE j."legacySessionId" = s.id)
  RETURNING 1
)
SELECT count(*)::int AS n FROM deleted`;

export async function deleteMigratedSessions(db: Queryable, sessionIds: string[]): Promise<number> {
  if (sessionIds.length === 0) return 0;
  const { rows } = await db.query<{ n: number }>({ text: DELETE_SQL, values: [sessionIds] });
  return rows[0]?.n ?? 0;
}
