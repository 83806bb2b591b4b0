import { inTransaction, type Queryable, type TransactionPool } from '../db/queryable.js';
import { UserError } from '../errors.js';
import { ID_PREFIX, escapeLike, findJobsById, jobsOfPlaybooks, playbooksFromFiles } from '../queue/reads.js';
import { describeProgress, hasProgress, lockPlay, progressOf, type Progress } from './progress.js';

// Stored plays as the CLI names them: by playbook id or by the id of the job that stored them, in full or
// by a unique prefix (as `status` and `plays` print them). Which job stored a play is the queue's to say.

export interface PlayRef {
  playbookId: string;
  /** The job that stored it, when known. */
  jobId: string | null;
}

export async function resolvePlay(db: Queryable, ref: string): Promise<PlayRef> {
  const wanted = ref.trim().toLowerCase();
  if (!ID_PREFIX.test(wanted)) {
    throw new UserError(`"${ref}" is not a job or play id.`, 'Ids are shown by `playbuddy plays` and `playbuddy status`; 4 characters or more of one are enough.');
  }
  const pattern = `${wanted}%`;
  const [books, jobs] = await Promise.all([
    db.query<{ id: string }>({ text: `SELECT id FROM "Playbook" WHERE id LIKE $1 LIMIT 2`, values: [pattern] }).then((r) => r.rows),
    findJobsById(db, wanted),
  ]);
  if (books.length + jobs.length > 1) throw new UserError(`More than one job or play has an id starting with ${wanted}.`, 'Type more characters of the id.');
  if (books.length === 1) {
    const playbookId = books[0]!.id;
    const storedBy = await jobsOfPlaybooks(db, [playbookId]);
    return { playbookId, jobId: storedBy.get(playbookId)?.jobId ?? null };
  }
  const job = jobs[0];
  if (!job) throw new UserError(`No stored play or job has an id starting with ${wanted}.`, 'List stored plays with `playbuddy plays`.');
  if (!job.playbookId) {
    throw new UserError(`Job ${job.id.slice(0, 8)} has stored no play (it is ${job.status}).`, `See why with \`playbuddy status ${job.id.slice(0, 8)}\`.`);
  }
  const exists = await db.query({ text: `SELECT 1 FROM "Playbook" WHERE id = $1`, values: [job.playbookId] });
  if (exists.rows.length === 0) {
    throw new UserError(`The play job ${job.id.slice(0, 8)} stored has since been deleted or replaced.`, 'List stored plays with `playbuddy plays`.');
  }
  return { playbookId: job.playbookId, jobId: job.id };
}

export interface PlaySummary {
  id: string;
  title: string;
  author: string;
  characters: number;
  lines: number;
  jobId: string | null;
  filename: string | null;
  createdAt: Date;
}

/** Which plays `plays` lists: each given field contains its text, case aside. */
export interface PlayFilter {
  title?: string;
  author?: string;
  /** The file name of the job that stored it. */
  file?: string;
}

async function whereOf(db: Queryable, filter: PlayFilter): Promise<{ where: string; values: unknown[] }> {
  const clauses: string[] = [];
  const values: unknown[] = [];
  for (const column of ['title', 'author'] as const) {
    const wanted = filter[column];
    if (wanted === undefined) continue;
    values.push(escapeLike(wanted));
    clauses.push(`p.${column} ILIKE '%' || $${values.length} || '%'`);
  }
  if (filter.file !== undefined) {
    values.push(await playbooksFromFiles(db, filter.file));
    clauses.push(`p.id = ANY($${values.length}::text[])`);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', values };
}

export async function countPlays(db: Queryable, filter: PlayFilter = {}): Promise<number> {
  const { where, values } = await whereOf(db, filter);
  const { rows } = await db.query<{ n: number }>({ text: `SELECT count(*)::int AS n FROM "Playbook" p ${where}`, values });
  return rows[0]!.n;
}

/** Title and author of one play, for a question about it. */
export async function playHeading(db: Queryable, playbookId: string): Promise<{ title: string; author: string } | null> {
  const { rows } = await db.query<{ title: string; author: string }>({ text: `SELECT title, author FROM "Playbook" WHERE id = $1`, values: [playbookId] });
  return rows[0] ?? null;
}

export async function listPlays(db: Queryable, options: { limit?: number } & PlayFilter = {}): Promise<PlaySummary[]> {
  const { where, values } = await whereOf(db, options);
  const { rows: plays } = await db.query<Omit<PlaySummary, 'jobId' | 'filename'>>({
    text: `
    SELECT p.id, p.title, p.author, p."createdAt",
           (SELECT count(*) FROM "Character" c WHERE c."playbookId" = p.id)::int AS characters,
           (SELECT count(*) FROM "Line" l JOIN "Scene" s ON s.id = l."sceneId" JOIN "Act" a ON a.id = s."actId"
             WHERE a."playbookId" = p.id)::int AS lines
    FROM "Playbook" p
    ${where}
    ORDER BY p."createdAt" DESC, p.id
    LIMIT $${values.length + 1}`,
    values: [...values, options.limit ?? 100],
  });
  const storedBy = await jobsOfPlaybooks(db, plays.map((p) => p.id));
  return plays.map((p) => ({ ...p, jobId: storedBy.get(p.id)?.jobId ?? null, filename: storedBy.get(p.id)?.filename ?? null }));
}

/** Deletes a stored play with everything under it (the foreign keys cascade). */
/**
 * Deletes a stored play with everything under it (the foreign keys cascade, the app's rehearsal progress
 * too). A play with progress is deleted only with `discardProgress`; its row is locked first, so the app
 * cannot add progress between the count and the delete.
 */
export async function deletePlay(
  db: TransactionPool,
  ref: string,
  options: { discardProgress?: boolean } = {},
): Promise<{ id: string; title: string; progress: Progress }> {
  const { playbookId } = await resolvePlay(db, ref);
  return inTransaction(db, async (tx) => {
    const book = await lockPlay(tx, playbookId);
    if (!book) throw new UserError(`The play ${playbookId.slice(0, 8)} was deleted by someone else just now.`);
    const progress = await progressOf(tx, playbookId);
    if (hasProgress(progress) && !options.discardProgress) {
      throw new UserError(
        `"${book.title}" (${playbookId.slice(0, 8)}) holds ${describeProgress(progress)}, which deleting it would lose; nothing was deleted.`,
        `To delete it and that progress, run: playbuddy plays delete ${playbookId.slice(0, 8)} --discard-progress`,
      );
    }
    await tx.query({ text: `DELETE FROM "Playbook" WHERE id = $1`, values: [playbookId] });
    return { id: playbookId, title: book.title, progress };
  });
}
