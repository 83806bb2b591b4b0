import type { Queryable } from '../../db/queryable.js';

// What `enqueue --replace` replaces: the play stored by the newest completed job of the same file name.
const LATEST_SQL = `
SELECT "playbookId" FROM "ParseJob" WHERE filename = $1 AND status = 'completed' AND "playbookId" IS NOT NULL
ORDER BY "completedAt" DESC LIMIT 1`;

export async function latestCompletedPlaybook(db: Queryable, filename: string): Promise<string | null> {
  const { rows } = await db.query<{ playbookId: string }>({ text: LATEST_SQL, values: [filename] });
  return rows[0]?.playbookId ?? null;
}
