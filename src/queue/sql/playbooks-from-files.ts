import type { Queryable } from '../../db/queryable.js';

// For `plays --file`: the plays stored by jobs whose file name contains the text. A scan of the jobs that
// stored a play (a substring match cannot use an index); `plays` runs it once per call.
const FROM_FILES_SQL = `
SELECT DISTINCT "playbookId" AS id FROM "ParseJob"
WHERE "playbookId" IS NOT NULL AND filename ILIKE '%' || $1 || '%'`;

export async function playbooksFromFiles(db: Queryable, fileContains: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>({ text: FROM_FILES_SQL, values: [escapeLike(fileContains)] });
  return rows.map((r) => r.id);
}

/** The text as a literal inside LIKE: its % and _ match themselves. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
