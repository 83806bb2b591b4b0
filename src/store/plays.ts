import type { Db } from '../db/client.js';
import { UserError } from '../errors.js';

// Stored plays as the CLI names them: by playbook id or by the id of the job that stored them, in full or
// by a unique prefix (as `status` and `plays` print them).

export interface PlayRef {
  playbookId: string;
  /** The job that stored it, when known. */
  jobId: string | null;
}

export async function resolvePlay(db: Db, ref: string): Promise<PlayRef> {
  const wanted = ref.trim().toLowerCase();
  if (!/^[0-9a-f-]{4,36}$/.test(wanted)) {
    throw new UserError(`"${ref}" is not a job or play id.`, 'Ids are shown by `playbuddy plays` and `playbuddy status`; 4 characters or more of one are enough.');
  }
  const pattern = `${wanted}%`;
  const [books, jobs] = await Promise.all([
    db.$queryRaw<Array<{ id: string; jobId: string | null }>>`
      SELECT p.id, (SELECT j.id FROM "ParseJob" j WHERE j."playbookId" = p.id ORDER BY j."completedAt" DESC NULLS LAST LIMIT 1) AS "jobId"
      FROM "Playbook" p WHERE p.id LIKE ${pattern} LIMIT 2`,
    db.$queryRaw<Array<{ id: string; status: string; playbookId: string | null }>>`
      SELECT id, status::text AS status, "playbookId" FROM "ParseJob" WHERE id LIKE ${pattern} LIMIT 2`,
  ]);
  if (books.length + jobs.length > 1) throw new UserError(`More than one job or play has an id starting with ${wanted}.`, 'Type more characters of the id.');
  if (books.length === 1) return { playbookId: books[0]!.id, jobId: books[0]!.jobId };
  const job = jobs[0];
  if (!job) throw new UserError(`No stored play or job has an id starting with ${wanted}.`, 'List stored plays with `playbuddy plays`.');
  if (!job.playbookId) {
    throw new UserError(`Job ${job.id.slice(0, 8)} has stored no play (it is ${job.status}).`, `See why with \`playbuddy status ${job.id.slice(0, 8)}\`.`);
  }
  const exists = await db.playbook.count({ where: { id: job.playbookId } });
  if (exists === 0) {
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

export async function listPlays(db: Db, options: { limit?: number } = {}): Promise<PlaySummary[]> {
  return db.$queryRaw<PlaySummary[]>`
    SELECT p.id, p.title, p.author, p."createdAt",
           (SELECT count(*) FROM "Character" c WHERE c."playbookId" = p.id)::int AS characters,
           (SELECT count(*) FROM "Line" l JOIN "Scene" s ON s.id = l."sceneId" JOIN "Act" a ON a.id = s."actId"
             WHERE a."playbookId" = p.id)::int AS lines,
           j.id AS "jobId", j.filename
    FROM "Playbook" p
    LEFT JOIN LATERAL (
      SELECT id, filename FROM "ParseJob" WHERE "playbookId" = p.id ORDER BY "completedAt" DESC NULLS LAST LIMIT 1
    ) j ON true
    ORDER BY p."createdAt" DESC, p.id
    LIMIT ${options.limit ?? 100}`;
}

/** Deletes a stored play with everything under it (the foreign keys cascade). */
export async function deletePlay(db: Db, ref: string): Promise<{ id: string; title: string }> {
  const { playbookId } = await resolvePlay(db, ref);
  const [deleted] = await db.$queryRaw<Array<{ id: string; title: string }>>`
    DELETE FROM "Playbook" WHERE id = ${playbookId} RETURNING id, title`;
  if (!deleted) throw new UserError(`The play ${playbookId.slice(0, 8)} was deleted by someone else just now.`);
  return deleted;
}
