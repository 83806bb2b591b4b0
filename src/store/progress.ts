import type { Queryable } from '../db/queryable.js';

// The app's users' rehearsal progress hangs off a play (UserCharacterProgress, UserLineProgress) and goes
// with it when the play is deleted or replaced. playbuddy never loses it without being told to.

export interface Progress {
  characters: number;
  lines: number;
  users: number;
}

const PROGRESS_SQL = `
SELECT (SELECT count(*) FROM "UserCharacterProgress" WHERE "playbookId" = $1)::int AS characters,
       (SELECT count(*) FROM "UserLineProgress" WHERE "playbookId" = $1)::int AS lines,
       (SELECT count(DISTINCT u) FROM (
          SELECT "userId" AS u FROM "UserCharacterProgress" WHERE "playbookId" = $1
          UNION ALL SELECT "userId" FROM "UserLineProgress" WHERE "playbookId" = $1) x)::int AS users`;

/** The progress rows hanging off a play. Callers about to delete it hold its row lock first (see lockPlay). */
export async function progressOf(db: Queryable, playbookId: string): Promise<Progress> {
  const { rows } = await db.query<Progress>({ text: PROGRESS_SQL, values: [playbookId] });
  return rows[0] ?? { characters: 0, lines: 0, users: 0 };
}

/**
 * Locks a play's row for the rest of the transaction; its title, or null when it is gone. The app adding
 * progress to the play waits for the lock, so what progressOf counts next is what a delete would take.
 */
export async function lockPlay(tx: Queryable, playbookId: string): Promise<{ title: string } | null> {
  const { rows } = await tx.query<{ title: string }>({ text: `SELECT title FROM "Playbook" WHERE id = $1 FOR UPDATE`, values: [playbookId] });
  return rows[0] ?? null;
}

export function hasProgress(p: Progress): boolean {
  return p.characters + p.lines > 0;
}

/** "3 users' rehearsal progress (2 characters, 140 lines)" */
export function describeProgress(p: Progress): string {
  const n = (x: number, one: string, many: string) => `${x.toLocaleString('en')} ${x === 1 ? one : many}`;
  return `${n(p.users, "user's", "users'")} rehearsal progress (${n(p.characters, 'character', 'characters')}, ${n(p.lines, 'line', 'lines')})`;
}
