import type { Db } from '../db/client.js';
import { queryableOverPrisma } from '../db/queryable.js';
import * as queue from '../queue/migration.js';
import type { SessionHeader } from './plan.js';
import { UNFINISHED } from './statuses.js';

// Reading ParsingSession rows without their text (src/queue/sql/migrate-session-page.ts says how).

/** The next `limit` sessions after `afterId`, in id order. */
export async function readSessionPage(db: Db, afterId: string, limit: number): Promise<SessionHeader[]> {
  return (await queue.readSessionPage(queryableOverPrisma(db), afterId, limit)) as SessionHeader[];
}

/** All sessions, and the unfinished ones a run would turn into queued jobs. */
export async function countSessions(db: Db): Promise<{ total: number; unfinishedNotMigrated: number }> {
  return queue.countSessions(queryableOverPrisma(db), UNFINISHED);
}
