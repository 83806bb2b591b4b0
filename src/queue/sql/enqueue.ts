import { inTransaction, type TransactionPool } from '../../db/queryable.js';
import { contentHash } from '../hash.js';
import type { NewJob } from '../jobs.js';
import { JOBS_CHANNEL } from '../notify.js';
import type { JobStatus } from '../states.js';
import { JOB_EVENTS, sqlLiteral } from '../events.js';
import { DEDUP_LOCK, duplicateOf, insertEvents, parseSettings } from './fragments.js';

// Enqueueing is one statement after the de-duplication lock: enqueue→start latency starts with this call,
// so every round trip here is paid by every job (a five-statement version measured about twice as slow,
// and the same statement through Prisma's interactive transaction about twice as slow as through pg, which
// is why enqueue takes a pg pool only).
//
// Why it is shaped this way:
// - `input` unnests one array per column, so 10,000 files cost one statement, not 10,000 round trips.
// - `prior` finds, per text and parse settings, the newest job the new one would duplicate (the duplicate
//   rule, sql/fragments.ts) through the contentHash index; `copy` numbers the copies of a text sent twice
//   with the same settings in one call, so only the first is kept (a window, not a per-row subquery: 10,000
//   rows stay linear). It runs after the caller took the de-duplication lock in an earlier statement of the
//   same transaction, so its snapshot already sees every competing change that committed before us.
// - Ids are drawn in `fresh` (materialised once) so the result can say which input row got which id.
// - The job rows, their `enqueued` events and the NOTIFY to idle workers commit together.
function enqueueStatement(jobs: Array<NewJob & { hash: string }>, force: boolean): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  // Each value once, as a numbered parameter.
  const param = (value: unknown) => `$${values.push(value)}`;
  const isForced = param(force);
  const hashes = param(jobs.map((j) => j.hash));
  const text = `
WITH input AS (
  SELECT t.*, row_number() OVER (PARTITION BY t.hash, t.settings ORDER BY t.n) AS copy
  FROM (
    SELECT t.*, ${parseSettings('t.cfg::jsonb')} AS settings
    FROM unnest(${param(jobs.map((j) => j.rawText))}::text[], ${param(jobs.map((j) => j.filename))}::text[],
                ${param(jobs.map((j) => JSON.stringify(j.config)))}::text[], ${param(jobs.map((j) => j.priority ?? 0))}::int[],
                ${param(jobs.map((j) => j.maxRetries ?? 3))}::int[], ${hashes}::text[],
                ${param(jobs.map((j) => j.replacesPlaybookId ?? null))}::text[], ${param(jobs.map((j) => j.type ?? 'PARSE_PLAY'))}::text[])
         WITH ORDINALITY AS t(raw, name, cfg, prio, maxr, hash, repl, typ, n)
  ) t
),
prior AS (
  SELECT DISTINCT ON (i.n) i.n, o.id, o.status::text AS status
  FROM input i
  JOIN "ParseJob" o ON ${duplicateOf('o', 'i.hash', 'i.settings')}
  WHERE NOT ${isForced}::boolean
  ORDER BY i.n, o."createdAt" DESC
),
fresh AS MATERIALIZED (
  SELECT gen_random_uuid()::text AS id, i.*
  FROM input i
  WHERE ${isForced}::boolean OR (i.copy = 1 AND NOT EXISTS (SELECT 1 FROM prior p WHERE p.n = i.n))
),
inserted AS (
  INSERT INTO "ParseJob" ("id", "type", "rawText", "filename", "config", "priority", "maxRetries", "contentHash",
                          "replacesPlaybookId", "createdAt", "updatedAt", "runAfter")
  SELECT id, typ::"JobType", raw, name, cfg::jsonb, prio, maxr, hash, repl, clock_timestamp(), clock_timestamp(), clock_timestamp()
  FROM fresh ORDER BY n
  RETURNING id, filename
),
events AS (
  ${insertEvents('id', sqlLiteral(JOB_EVENTS.enqueued), `jsonb_build_object('status', 'queued', 'filename', filename)`, 'inserted')}
),
notified AS (
  SELECT pg_notify(${param(JOBS_CHANNEL)}, '') FROM (SELECT 1 FROM fresh LIMIT 1) AS any_fresh
)
SELECT i.n::int AS n, f.id AS "newId", coalesce(p.id, own.id) AS "existingId", coalesce(p.status, 'queued') AS "existingStatus"
FROM input i
LEFT JOIN fresh f ON f.n = i.n
LEFT JOIN prior p ON f.id IS NULL AND p.n = i.n
LEFT JOIN fresh own ON f.id IS NULL AND p.id IS NULL AND own.hash = i.hash AND own.settings = i.settings AND own.copy = 1
CROSS JOIN (SELECT count(*) FROM notified) AS side_effects
ORDER BY i.n`;
  return { text, values };
}

interface EnqueueRow {
  n: number;
  newId: string | null;
  existingId: string | null;
  existingStatus: string;
}

export type EnqueueOutcome =
  | { kind: 'enqueued'; id: string; filename: string; contentHash: string }
  | { kind: 'duplicate'; filename: string; contentHash: string; existingId: string; existingStatus: JobStatus };

/**
 * Inserts jobs in one transaction. Without `force`, a job that would duplicate another (the duplicate rule in
 * sql/fragments.ts), or one earlier in the same call, is skipped and reported instead. Three round trips: begin with the lock,
 * the statement, commit.
 */
export async function enqueueJobs(pool: TransactionPool, jobs: NewJob[], options: { force?: boolean } = {}): Promise<EnqueueOutcome[]> {
  if (jobs.length === 0) return [];
  const rows = jobs.map((j) => ({ ...j, hash: contentHash(j.rawText) }));
  const force = Boolean(options.force);
  const statement = enqueueStatement(rows, force);
  // No JIT: a 10,000-row statement is estimated past jit_above_cost, and compiling it costs more server time
  // than it saves (about a tenth of the enqueue's server CPU, measured).
  const begin = force ? 'BEGIN; SET LOCAL jit = off' : `BEGIN; SET LOCAL jit = off; ${DEDUP_LOCK}`;
  const result = await inTransaction(pool, async (tx) => (await tx.query<EnqueueRow>(statement)).rows, begin);
  return result.map((r): EnqueueOutcome => {
    const job = rows[r.n - 1]!;
    return r.newId
      ? { kind: 'enqueued', id: r.newId, filename: job.filename, contentHash: job.hash }
      : { kind: 'duplicate', filename: job.filename, contentHash: job.hash, existingId: r.existingId!, existingStatus: r.existingStatus as JobStatus };
  });
}
