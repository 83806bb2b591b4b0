import { randomBytes, randomFillSync } from 'node:crypto';
import { inTransaction, type Queryable, type TransactionPool } from '../../db/queryable.js';
import { binaryTextArray } from '../../db/text-array.js';
import { contentHash } from '../hash.js';
import type { NewJob } from '../jobs.js';
import { JOBS_CHANNEL } from '../notify.js';
import type { JobStatus } from '../states.js';
import { JOB_EVENTS, sqlLiteral } from '../events.js';
import { DEDUP_LOCK, duplicateOf, insertEvents, parseSettings } from './fragments.js';

// Enqueueing is one statement (per 10,000 jobs) after the de-duplication lock: enqueue→start latency starts
// with this call, so every round trip here is paid by every job (a five-statement version measured about
// twice as slow, and the same statement through Prisma's interactive transaction about twice as slow as
// through pg, which is why enqueue takes a pg pool only).
//
// Why it is shaped this way (measured on 10,000 jobs by the CPU each point saves; a bulk enqueue's cost is
// mostly the rows themselves: a job's row enters seven indexes and its event two more, well over half of the
// statement's server time in a profile):
// - Per job only its id, text, name and hash travel, as text[] parameters in binary form (db/text-array.ts);
//   what jobs usually share (config, priority, retries, type, the play to replace) travels once per distinct
//   combination and is picked by subscript, so a bulk import with one combination sends nothing per job for
//   it and no join re-sorts the rows with their texts.
// - Copies within the call (same text, same parse settings) are found by the caller, which has the hashes
//   anyway: only the first of each is sent, so the server neither groups the call's rows nor filters them
//   against a list of firsts. A call whose jobs differ in config asks the server for each config's parse
//   settings first (the duplicate rule's own expression, not a copy of it in TypeScript).
// - `prior` finds, per row, the newest job it would duplicate (the duplicate rule, sql/fragments.ts), by one
//   probe of the contentHash index per row, the rows taken in hash order so that consecutive probes read
//   neighbouring index pages: the lateral subquery (fenced by OFFSET 0, so the rule's status test cannot pull
//   in the status indexes) leaves the planner only that index, whether or not the table has statistics yet
//   (test/queue/enqueue-plan.test.ts holds it to that). So its cost follows the call, not the backlog of live
//   and stored jobs. It runs after the caller took the de-duplication lock in an earlier statement of the same
//   transaction, so its snapshot already sees every competing change that committed before us. It is usually
//   empty, and the inserts keep the rows it does not name.
// - Ids are drawn by the caller, random but ascending within a call (ascendingIds), so the rows of a call go
//   into neighbouring pages of the primary key and of JobEvent's (jobId, createdAt) index instead of all over
//   them. The `enqueued` event takes its job's id as its own: unique among events as the job's is among jobs,
//   ascending like it, and not drawn or sent twice.
// - The texts are read straight from their array into the insert, never copied through a CTE store (which
//   spills to disk once an import outgrows work_mem; with 100 KB texts this took a quarter off the server's
//   CPU per job).
// - The event's details are a constant, so nothing is built per row for them; the job's filename is on the job.
// - The job rows, their `enqueued` events and the NOTIFY to idle workers commit together; a call of more than
//   CHUNK_JOBS jobs or CHUNK_CHARS characters of text is several such statements in the one transaction, each
//   hashed and built while the server inserts the one before. Copies across them are found by `prior`, which
//   sees the earlier statements' rows. (Smaller statements, to overlap the caller's work with the server's
//   for 10,000 small jobs too, cost the server more per job than they saved in wall-clock time.)
// - The result is only the rows `prior` named (usually none): which job each row got is known to the caller.

/** The statement for one chunk: its new jobs and their events, or, without `force`, those that duplicate no job. */
function enqueueStatement(chunk: Chunk, options: SharedOptions[], force: boolean): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  // Each value once, as a numbered parameter.
  const param = (value: unknown) => `$${values.push(value)}`;
  const ids = param(binaryTextArray(chunk.ids));
  const hashes = param(binaryTextArray(chunk.hashes));
  // Each row's option, as an array beside the others and a column k; with a single option (a bulk import)
  // nothing is sent per row for it.
  const single = options.length === 1;
  const optionOf = single ? '' : `, ${param(chunk.optionOf)}::int[]`;
  const k = single ? '1' : 't.k';
  const columns = (...names: string[]) => `t(${[...names, ...(single ? [] : ['k']), 'n'].join(', ')})`;
  const option = (type: string, pick: (o: SharedOptions) => unknown) => `(${param(options.map(pick))}::${type}[])[${k}]`;
  const notPrior = force ? '' : 'WHERE NOT EXISTS (SELECT 1 FROM prior p WHERE p.n = t.n)';
  const prior = `
prior AS (
  SELECT DISTINCT ON (t.n) t.n, o.id, o.status::text AS status
  FROM (SELECT * FROM unnest(${hashes}::text[]${optionOf}) WITH ORDINALITY AS ${columns('hash')} ORDER BY t.hash COLLATE "C") t
  JOIN opts s ON s.k = ${k}
  CROSS JOIN LATERAL (
    SELECT o.id, o."contentHash", o.config, o.status, o."playbookId", o."createdAt" FROM "ParseJob" o WHERE o."contentHash" = t.hash OFFSET 0
  ) o
  WHERE ${duplicateOf('o', 't.hash', 's.settings')}
  ORDER BY t.n, o."createdAt" DESC
),`;
  const text = `
WITH opts AS (
  SELECT o.k, ${parseSettings('o.cfg')} AS settings
  FROM unnest(${param(options.map((o) => o.config))}::jsonb[]) WITH ORDINALITY AS o(cfg, k)
),${force ? '' : prior}
inserted AS (
  INSERT INTO "ParseJob" ("id", "type", "rawText", "filename", "config", "priority", "maxRetries", "contentHash",
                          "replacesPlaybookId", "createdAt", "updatedAt", "runAfter")
  SELECT t.id, ${option('"JobType"', (o) => o.type)}, t.raw, t.name, ${option('jsonb', (o) => o.config)},
         ${option('int', (o) => o.priority)}, ${option('int', (o) => o.maxRetries)}, t.hash,
         ${option('text', (o) => o.replacesPlaybookId)}, clock_timestamp(), clock_timestamp(), clock_timestamp()
  FROM unnest(${ids}::text[], ${param(binaryTextArray(chunk.texts))}::text[], ${param(binaryTextArray(chunk.names))}::text[], ${hashes}::text[]${optionOf})
       WITH ORDINALITY AS ${columns('id', 'raw', 'name', 'hash')}
  ${notPrior}
),
events AS (
  ${insertEvents('t.id', sqlLiteral(JOB_EVENTS.enqueued), `'{"status": "queued"}'::jsonb`, `unnest(${ids}::text[]) WITH ORDINALITY AS t(id, n) ${notPrior}`, 't.id')}
)
SELECT NULL::int AS n, NULL AS id, NULL AS status FROM (SELECT pg_notify(${param(JOBS_CHANNEL)}, '')) AS notified
${force ? '' : `WHERE (SELECT count(*) FROM prior) < ${chunk.ids.length}
UNION ALL SELECT p.n::int, p.id, p.status FROM prior p`}`;
  return { text, values };
}

interface SharedOptions {
  config: string;
  priority: number;
  maxRetries: number;
  replacesPlaybookId: string | null;
  type: string;
}

/** Whether two objects have the same keys with the same primitive values (nested values: only the same ones). */
function sameFlatObject(a: object, b: object): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && (a as Record<string, unknown>)[key] === (b as Record<string, unknown>)[key]);
}

/** The distinct combinations of everything but text and name, and which one each job has (1-based, as SQL counts). */
function sharedOptions(jobs: NewJob[]): { options: SharedOptions[]; optionOf: number[] } {
  const options: SharedOptions[] = [];
  const seen = new Map<string, number>();
  let previous: NewJob | undefined;
  let previousK = 0;
  const optionOf = jobs.map((j) => {
    // Jobs of one import share their options, the config as one object or equal ones: the previous job's
    // answer is this one's, and the config is serialised once.
    const p = previous;
    previous = j;
    if (p && j.priority === p.priority && j.maxRetries === p.maxRetries && j.replacesPlaybookId === p.replacesPlaybookId && j.type === p.type && sameFlatObject(j.config, p.config)) {
      return previousK;
    }
    const o: SharedOptions = {
      config: JSON.stringify(j.config),
      priority: j.priority ?? 0,
      maxRetries: j.maxRetries ?? 3,
      replacesPlaybookId: j.replacesPlaybookId ?? null,
      type: j.type ?? 'PARSE_PLAY',
    };
    const key = JSON.stringify([o.config, o.priority, o.maxRetries, o.replacesPlaybookId, o.type]);
    let k = seen.get(key);
    if (k === undefined) seen.set(key, (k = options.push(o)));
    previousK = k;
    return k;
  });
  return { options, optionOf };
}

/**
 * Each option's parse settings, as the duplicate rule compares them (sql/fragments.ts), when the call has more
 * than one option: copies within the call are then told apart by settings, not by option.
 */
async function settingsOf(db: Queryable, options: SharedOptions[]): Promise<string[]> {
  if (options.length === 1) return [''];
  const { rows } = await db.query<{ settings: string }>({
    text: `SELECT ${parseSettings('o.cfg')} AS settings FROM unnest($1::jsonb[]) WITH ORDINALITY AS o(cfg, k) ORDER BY o.k`,
    values: [options.map((o) => o.config)],
  });
  return rows.map((r) => r.settings);
}

/**
 * `count` random (version 4) UUIDs in ascending order: rows inserted one after another land next to each other
 * in the id indexes instead of all over them. Their first 32 bits are drawn, then sorted as numbers.
 */
function ascendingIds(count: number): string[] {
  const leading = randomFillSync(new Uint32Array(count)).sort();
  const bytes = randomBytes(16 * count);
  for (let i = 0; i < count; i++) {
    const b = 16 * i;
    bytes.writeUInt32BE(leading[i]!, b);
    bytes[b + 6] = (bytes[b + 6]! & 0x0f) | 0x40;
    bytes[b + 8] = (bytes[b + 8]! & 0x3f) | 0x80;
  }
  // One hex conversion for all of them, then cut.
  const hex = bytes.toString('hex');
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const h = 32 * i;
    ids[i] = `${hex.slice(h, h + 8)}-${hex.slice(h + 8, h + 12)}-${hex.slice(h + 12, h + 16)}-${hex.slice(h + 16, h + 20)}-${hex.slice(h + 20, h + 32)}`;
  }
  return ids;
}

/** One statement's share of a call: the first job of each text and parse settings in it, with what is sent per job. */
interface Chunk {
  /** Per job of the share: the row sent for it (0-based), the first one of its text and settings. */
  rowOf: number[];
  ids: string[];
  hashes: string[];
  texts: string[];
  names: string[];
  optionOf: number[];
}

/**
 * The rows to send for `jobs`. With `force` every job is a row; otherwise a job whose text and parse settings
 * an earlier one of the chunk has is a copy, and only the first is sent.
 */
function chunkOf(jobs: NewJob[], optionOf: number[], settings: string[], force: boolean): Chunk & { jobHashes: string[] } {
  const jobHashes = jobs.map((j) => contentHash(j.rawText));
  const rowOf: number[] = [];
  const sent: number[] = [];
  const rowOfKey = new Map<string, number>();
  jobs.forEach((_, i) => {
    const key = settings.length === 1 ? jobHashes[i]! : `${jobHashes[i]} ${settings[optionOf[i]! - 1]}`;
    let row = force ? undefined : rowOfKey.get(key);
    if (row === undefined) {
      row = sent.push(i) - 1;
      if (!force) rowOfKey.set(key, row);
    }
    rowOf.push(row);
  });
  const every = sent.length === jobs.length;
  const pick = <T>(values: T[]) => (every ? values : sent.map((i) => values[i]!));
  return {
    rowOf,
    jobHashes,
    ids: ascendingIds(sent.length),
    hashes: pick(jobHashes),
    texts: pick(jobs.map((j) => j.rawText)),
    names: pick(jobs.map((j) => j.filename)),
    optionOf: pick(optionOf),
  };
}

/** One row of the statement's result: the notify, or the job a sent row would duplicate (n: the row, 1-based). */
interface EnqueueRow {
  n: number | null;
  id: string | null;
  status: string | null;
}

export type EnqueueOutcome =
  | { kind: 'enqueued'; id: string; filename: string; contentHash: string }
  | { kind: 'duplicate'; filename: string; contentHash: string; existingId: string; existingStatus: JobStatus };

/** What became of each job of a chunk: its row was inserted, or it duplicates that row's job or the job found for it. */
function outcomes(jobs: NewJob[], chunk: Chunk & { jobHashes: string[] }, result: EnqueueRow[]): EnqueueOutcome[] {
  const prior = new Map<number, { id: string; status: JobStatus }>();
  for (const r of result) if (r.n !== null) prior.set(r.n - 1, { id: r.id!, status: r.status as JobStatus });
  const firstJob = new Map<number, number>();
  return jobs.map((job, i): EnqueueOutcome => {
    const row = chunk.rowOf[i]!;
    const contentHash = chunk.jobHashes[i]!;
    const existing = prior.get(row);
    const first = !firstJob.has(row);
    if (first) firstJob.set(row, i);
    if (first && !existing) return { kind: 'enqueued', id: chunk.ids[row]!, filename: job.filename, contentHash };
    const { id, status } = existing ?? { id: chunk.ids[row]!, status: 'queued' as const };
    return { kind: 'duplicate', filename: job.filename, contentHash, existingId: id, existingStatus: status };
  });
}

/**
 * Where a call is cut into statements: after CHUNK_JOBS jobs, or once a statement's texts reach CHUNK_CHARS
 * characters. So a call of any size stays far from PostgreSQL's 1 GB limit on one parameter, and an import of
 * large texts has the next statement's texts hashed while the server stores the previous one's.
 */
const CHUNK_JOBS = 10_000;
const CHUNK_CHARS = 32 * 2 ** 20;

/** The index each statement's jobs start at. */
function chunkStarts(jobs: NewJob[]): number[] {
  const starts = [0];
  let chars = 0;
  jobs.forEach((job, i) => {
    if (i > starts.at(-1)! && (i - starts.at(-1)! === CHUNK_JOBS || chars + job.rawText.length > CHUNK_CHARS)) {
      starts.push(i);
      chars = 0;
    }
    chars += job.rawText.length;
  });
  return starts;
}

/**
 * Inserts jobs in one transaction. Without `force`, a job that would duplicate another (the duplicate rule in
 * sql/fragments.ts), or one earlier in the same call, is skipped and reported instead.
 */
export async function enqueueJobs(pool: TransactionPool, jobs: NewJob[], options: { force?: boolean } = {}): Promise<EnqueueOutcome[]> {
  if (jobs.length === 0) return [];
  const force = Boolean(options.force);
  const { options: shared, optionOf } = sharedOptions(jobs);
  const settings = force ? [''] : await settingsOf(pool, shared);
  // No JIT: a 10,000-row statement is estimated past jit_above_cost, and compiling it costs more server time
  // than it saves (about a tenth of the enqueue's server CPU, measured). No bitmap scans: the duplicate lookup
  // probes the contentHash index once per row, which a plain index scan does for less.
  const settingsFor = 'SET LOCAL jit = off; SET LOCAL enable_bitmapscan = off';
  const begin = force ? `BEGIN; ${settingsFor}` : `BEGIN; ${settingsFor}; ${DEDUP_LOCK}`;
  // One job at a time (the enqueue→start path) sends the same text every call: prepared once per connection,
  // it is not parsed and planned again on each.
  const name = jobs.length === 1 ? `playbuddy_enqueue_one${force ? '_forced' : ''}` : undefined;
  const starts = chunkStarts(jobs);
  const build = (c: number) => {
    const [start, end] = [starts[c]!, starts[c + 1] ?? jobs.length];
    const part = jobs.slice(start, end);
    const chunk = chunkOf(part, optionOf.slice(start, end), settings, force);
    return { part, chunk, statement: { name, ...enqueueStatement(chunk, shared, force) } };
  };
  return inTransaction(
    pool,
    async (tx) => {
      const done: EnqueueOutcome[] = [];
      let current = build(0);
      let running = tx.query<EnqueueRow>(current.statement);
      for (let c = 1; c < starts.length; c++) {
        // Built while the server inserts the chunk before it.
        const next = build(c);
        const { rows } = await running;
        running = tx.query<EnqueueRow>(next.statement);
        done.push(...outcomes(current.part, current.chunk, rows));
        current = next;
      }
      done.push(...outcomes(current.part, current.chunk, (await running).rows));
      return done;
    },
    begin,
  );
}
