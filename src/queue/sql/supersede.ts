import type { Queryable } from '../../db/queryable.js';
import { JOB_EVENTS, sqlLiteral } from '../events.js';
import { insertEvents } from './fragments.js';

// `enqueue --replace`: the completing job's play becomes the only one of its file. Every other completed job
// of the same file name that still has a stored play is superseded — its play deleted, its playbookId
// cleared, a `superseded` event naming the job that replaced it — in the transaction that stores the new play.
// Several replace jobs of one file may be queued before any completes; whichever completes last keeps the
// only play, because completions of one file take turns (lockReplacedFile, first in the transaction).

const LOCK_FILE_SQL = `SELECT 1 FROM pg_advisory_xact_lock(${0x72706c}, hashtext($1))`;

const SUPERSEDE_SQL = `
WITH old AS (
  SELECT id, "playbookId" FROM "ParseJob"
  WHERE filename = $2 AND id <> $1 AND status = 'completed' AND "playbookId" IS NOT NULL AND "playbookId" <> $3
    -- A play app users rehearse on stays (unless the job said --discard-progress), as for the replaced one.
    AND ($4::bool OR NOT (EXISTS (SELECT 1 FROM "UserCharacterProgress" u WHERE u."playbookId" = "ParseJob"."playbookId")
                        OR EXISTS (SELECT 1 FROM "UserLineProgress" u WHERE u."playbookId" = "ParseJob"."playbookId")))
  FOR UPDATE
),
cleared AS (
  UPDATE "ParseJob" j SET "playbookId" = NULL, "updatedAt" = now() FROM old WHERE j.id = old.id
),
plays AS (
  DELETE FROM "Playbook" p USING old WHERE p.id = old."playbookId"
),
events AS (
  ${insertEvents('old.id', sqlLiteral(JOB_EVENTS.superseded), `jsonb_build_object('by', $1::text, 'playbookId', old."playbookId")`, 'old')}
)
SELECT id FROM old`;

/** Makes completions of replace jobs of one file take turns; call first in the storing transaction. */
export async function lockReplacedFile(tx: Queryable, filename: string): Promise<void> {
  await tx.query({ text: LOCK_FILE_SQL, values: [filename] });
}

/** Supersedes the other stored plays of the file; returns the ids of the jobs that lost theirs. */
export async function supersedeOtherPlays(tx: Queryable, job: { id: string; filename: string; discardProgress: boolean }, playbookId: string): Promise<string[]> {
  const values = [job.id, job.filename, playbookId, job.discardProgress];
  return (await tx.query<{ id: string }>({ text: SUPERSEDE_SQL, values })).rows.map((r) => r.id);
}
