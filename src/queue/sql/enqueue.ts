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
// Why it is shaped this way (measured on 10,000 jobs by the server CPU each point saves):
// - Per job only its text, name and hash travel, as three arrays; what jobs usually share (config, priority,
//   retries, type, the play to replace) travels once per distinct combination in `opts`, with an index per job.
//   So a 10,000-file import parses its config and works out its parse settings once, not 10,000 times.
// - `keyed` holds one row per text and parse settings of the call, with its first copy: a copy sent twice with
//   the same settings keeps only the first (a hash aggregate over three narrow columns, not a sort of the rows
//   with their texts).
// - `prior` finds, per key, the newest job it would duplicate (the duplicate rule, sql/fragments.ts), by one
//   probe of the contentHash index per key: the lateral subquery (fenced by OFFSET 0, so the rule's status
//   test cannot pull in the status indexes) leaves the planner only that index, whether or not the table has
//   statistics yet (test/queue/enqueue-plan.test.ts holds it to that). So its cost follows the call, not the backlog of live and stored jobs (a join here read every live job,
//   and every completed one with its play, on each bulk enqueue). It runs after the caller took the
//   de-duplication lock in an earlier statement of the same transaction, so its snapshot already sees every
//   competing change that committed before us.
// - Ids are drawn in `fresh` (materialised once) so the result can say which input row got which id. Neither
//   `input` nor `fresh` carries the texts: the insert reads them straight from their array, so a text is not
//   copied through two CTE stores (spilling to disk once an import outgrows work_mem; with 100 KB texts this
//   took a quarter off the server's CPU per job).
// - The job rows, their `enqueued` events and the NOTIFY to idle workers commit together.
// - The result names the new jobs, the job each duplicated key holds and each option's parse settings; which
//   input row is a copy of which is matched up in enqueueJobs, which spares the server a join of every row.
function enqueueStatement(jobs: Array<NewJob & { hash: string }>, force: boolean): { text: string; values: unknown[]; optionOf: number[] } {
  const values: unknown[] = [];
  // Each value once, as a numbered parameter.
  const param = (value: unknown) => `$${values.push(value)}`;
  const { options, optionOf } = sharedOptions(jobs);
  const isForced = param(force);
  const hashes = param(jobs.map((j) => j.hash));
  const options_ = param(optionOf);
  const text = `
WITH opts AS (
  SELECT o.k, o.cfg, o.prio, o.maxr, o.repl, o.typ, ${parseSettings('o.cfg')} AS settings
  FROM unnest(${param(options.map((o) => o.config))}::jsonb[], ${param(options.map((o) => o.priority))}::int[],
              ${param(options.map((o) => o.maxRetries))}::int[], ${param(options.map((o) => o.replacesPlaybookId))}::text[],
              ${param(options.map((o) => o.type))}::"JobType"[])
       WITH ORDINALITY AS o(cfg, prio, maxr, repl, typ, k)
),
input AS (
  SELECT t.n, t.hash, o.settings
  FROM unnest(${hashes}::text[], ${options_}::int[]) WITH ORDINALITY AS t(hash, k, n)
  JOIN opts o ON o.k = t.k
),
keyed AS (
  SELECT min(i.n) AS first, i.hash, i.settings FROM input i GROUP BY i.hash, i.settings
),
prior AS (
  SELECT DISTINCT ON (k.first) k.first, o.id, o.status::text AS status
  FROM keyed k
  CROSS JOIN LATERAL (
    SELECT o.id, o."contentHash", o.config, o.status, o."playbookId", o."createdAt" FROM "ParseJob" o WHERE o."contentHash" = k.hash OFFSET 0
  ) o
  WHERE NOT ${isForced}::boolean AND ${duplicateOf('o', 'k.hash', 'k.settings')}
  ORDER BY k.first, o."createdAt" DESC
),
fresh AS MATERIALIZED (
  SELECT gen_random_uuid()::text AS id, i.n
  FROM input i
  WHERE ${isForced}::boolean OR i.n IN (SELECT k.first FROM keyed k WHERE NOT EXISTS (SELECT 1 FROM prior p WHERE p.first = k.first))
),
inserted AS (
  INSERT INTO "ParseJob" ("id", "type", "rawText", "filename", "config", "priority", "maxRetries", "contentHash",
                          "replacesPlaybookId", "createdAt", "updatedAt", "runAfter")
  SELECT f.id, o.typ, t.raw, t.name, o.cfg, o.prio, o.maxr, t.hash, o.repl, clock_timestamp(), clock_timestamp(), clock_timestamp()
  FROM fresh f
  JOIN unnest(${param(jobs.map((j) => j.rawText))}::text[], ${param(jobs.map((j) => j.filename))}::text[], ${hashes}::text[], ${options_}::int[])
       WITH ORDINALITY AS t(raw, name, hash, k, n) ON t.n = f.n
  JOIN opts o ON o.k = t.k
  ORDER BY f.n
  RETURNING id, filename
),
events AS (
  ${insertEvents('id', sqlLiteral(JOB_EVENTS.enqueued), `jsonb_build_object('status', 'queued', 'filename', filename)`, 'inserted')}
),
notified AS (
  SELECT pg_notify(${param(JOBS_CHANNEL)}, '') FROM (SELECT 1 FROM fresh LIMIT 1) AS any_fresh
)
SELECT 'new' AS kind, f.n::int AS n, f.id, NULL AS value FROM fresh f
UNION ALL SELECT 'prior', p.first::int, p.id, p.status FROM prior p
UNION ALL SELECT 'settings', o.k::int, NULL, o.settings FROM opts o
UNION ALL SELECT 'notified', 0, NULL, NULL FROM notified`;
  return { text, values, optionOf };
}

interface SharedOptions {
  config: string;
  priority: number;
  maxRetries: number;
  replacesPlaybookId: string | null;
  type: string;
}

/** The distinct combinations of everything but text and name, and which one each job has (1-based, as SQL counts). */
function sharedOptions(jobs: NewJob[]): { options: SharedOptions[]; optionOf: number[] } {
  const options: SharedOptions[] = [];
  const seen = new Map<string, number>();
  // A bulk import passes one config object for every file: serialise each object once.
  const serialised = new Map<object, string>();
  const optionOf = jobs.map((j) => {
    let config = serialised.get(j.config);
    if (config === undefined) serialised.set(j.config, (config = JSON.stringify(j.config)));
    const o = { config, priority: j.priority ?? 0, maxRetries: j.maxRetries ?? 3, replacesPlaybookId: j.replacesPlaybookId ?? null, type: j.type ?? 'PARSE_PLAY' };
    const key = JSON.stringify([o.config, o.priority, o.maxRetries, o.replacesPlaybookId, o.type]);
    let k = seen.get(key);
    if (k === undefined) seen.set(key, (k = options.push(o)));
    return k;
  });
  return { options, optionOf };
}

/**
 * One row of the statement's result: a job inserted (n: its input row), the job a key would duplicate (n: the
 * key's first row; value: that job's status), an option's parse settings (n: the option), or the notify.
 */
interface EnqueueRow {
  kind: 'new' | 'prior' | 'settings' | 'notified';
  n: number;
  id: string | null;
  value: string | null;
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
  const { optionOf, ...statement } = enqueueStatement(rows, force);
  // No JIT: a 10,000-row statement is estimated past jit_above_cost, and compiling it costs more server time
  // than it saves (about a tenth of the enqueue's server CPU, measured).
  const begin = force ? 'BEGIN; SET LOCAL jit = off' : `BEGIN; SET LOCAL jit = off; ${DEDUP_LOCK}`;
  // One job at a time (the enqueue→start path) sends the same text every call: prepared once per connection,
  // it is not parsed and planned again on each.
  const name = rows.length === 1 ? 'playbuddy_enqueue_one' : undefined;
  const result = await inTransaction(pool, async (tx) => (await tx.query<EnqueueRow>({ name, ...statement })).rows, begin);
  const newId = new Map<number, string>();
  const prior = new Map<number, { id: string; status: JobStatus }>();
  const settings = new Map<number, string>();
  for (const r of result) {
    if (r.kind === 'new') newId.set(r.n, r.id!);
    else if (r.kind === 'prior') prior.set(r.n, { id: r.id!, status: r.value as JobStatus });
    else if (r.kind === 'settings') settings.set(r.n, r.value!);
  }
  // A job left out duplicates the first job of the call with its text and parse settings (as the statement's
  // `keyed` found it), or the job that one duplicates. Matching them up here spares the server a join of every
  // row of the call; in the usual import, where every job is new, it is skipped.
  const first = new Map<string, number>();
  if (newId.size < rows.length) {
    rows.forEach((job, i) => {
      const key = `${job.hash} ${settings.get(optionOf[i]!)}`;
      if (!first.has(key)) first.set(key, i + 1);
    });
  }
  return rows.map((job, i): EnqueueOutcome => {
    const id = newId.get(i + 1);
    if (id) return { kind: 'enqueued', id, filename: job.filename, contentHash: job.hash };
    const original = first.get(`${job.hash} ${settings.get(optionOf[i]!)}`)!;
    const existing = prior.get(original) ?? { id: newId.get(original)!, status: 'queued' };
    return { kind: 'duplicate', filename: job.filename, contentHash: job.hash, existingId: existing.id, existingStatus: existing.status };
  });
}
