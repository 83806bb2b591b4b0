import pg from 'pg';
import { fromDist } from './dist.mjs';
import { fillHistory } from './history.mjs';
import { wallNow, within } from './process.mjs';
import { PROBE_APPLICATION } from './server-cost.mjs';
import { PROBE_MARK } from './statements.mjs';
import { spread } from './stats.mjs';

// playbuddy's queue as bench:queue drives it: enqueue through the job repository over a pg pool (what
// `enqueue` calls, de-duplication included), and the worker library `playbuddy work` runs, with a handler that does nothing, so
// every job still gets its claim, lease token, fenced completion and audit events.

const { applyPendingMigrations } = await fromDist('db/migrate.js');
const { createPool } = await fromDist('db/pool.js');
const { enqueueJobs, transitionJob } = await fromDist('queue/repository.js');
const { createLogger } = await fromDist('log/logger.js');
const { openWorkerConnections } = await fromDist('worker/connections.js');
const { startWorker } = await fromDist('worker/worker.js');

// Per-job info lines would measure the terminal, not the queue; warnings and errors still show.
const log = await createLogger({ format: 'json', level: 'warn' });

const newJob = (tag, seq) => ({
  rawText: `${tag} ${seq}\n\nACT I\n\nHAMLET. Who's there?`,
  filename: `${tag}-${seq}.txt`,
  config: { parser: 'rules', chunkSize: 12_000 },
});

function tagAndSeq(filename) {
  const m = /^(.*)-(\d+)\.txt$/.exec(filename);
  return m ? [m[1], Number(m[2])] : [filename, -1];
}

export async function openPlaybuddy(url) {
  await applyPendingMigrations(url);
  const db = createPool(url, { max: 2 });
  const probe = new pg.Client({ connectionString: url, application_name: PROBE_APPLICATION });
  await probe.connect();
  return {
    enqueueMany: (tag, count) => enqueueJobs(db, Array.from({ length: count }, (_, seq) => newJob(tag, seq))),
    enqueueOne: (tag, seq) => enqueueJobs(db, [newJob(tag, seq)]),
    pending: async () =>
      (await probe.query(`${PROBE_MARK} SELECT count(*)::int AS n FROM "ParseJob" WHERE status IN ('queued', 'running', 'retrying')`)).rows[0].n,
    async close() {
      await probe.end();
      await db.end();
    },
  };
}

export async function startPlaybuddyWorker(url, { concurrency, onStart, handler, pooled = false, listenUrl = url }) {
  const connections = openWorkerConnections(url, { concurrency, pooled });
  const worker = await startWorker({
    pool: connections.pool,
    listenUrl,
    log,
    concurrency,
    handlers: { PARSE_PLAY: handler ?? (async (job) => onStart(...tagAndSeq(job.filename))) },
  });
  return {
    async stop() {
      await worker.stop({ graceMs: 0 });
      await connections.close();
    },
  };
}

/**
 * Cancel→stopped: a running job's handler waits on its signal; the clock runs from the start of the
 * operator's cancel (the repository transition `playbuddy cancel` makes) to the moment the handler sees
 * its signal aborted.
 */
export async function cancelLatency(url, rounds) {
  const queue = await openPlaybuddy(url);
  // The operator commands change jobs through their own pg pool, as `playbuddy cancel` does.
  const operator = createPool(url, { max: 1 });
  let started;
  let aborted;
  const worker = await startPlaybuddyWorker(url, {
    concurrency: 1,
    handler: (job, ctx) =>
      new Promise((_, reject) => {
        started?.(job.id);
        ctx.signal.addEventListener('abort', () => {
          aborted?.(wallNow());
          reject(ctx.signal.reason);
        }, { once: true });
      }),
  });
  const toAbort = [];
  const cancelCall = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const running = new Promise((r) => (started = r));
      const [outcome] = await queue.enqueueOne('cancel', i);
      const id = await within(running, 30_000, 'cancel benchmark: job start');
      if (id !== outcome.id) throw new Error('cancel benchmark: the worker started an unexpected job');
      const stopped = new Promise((r) => (aborted = r));
      const before = wallNow();
      await transitionJob(operator, id, 'cancelled', { details: { by: 'bench' } });
      cancelCall.push(wallNow() - before);
      toAbort.push((await within(stopped, 30_000, 'cancel benchmark: abort')) - before);
    }
  } finally {
    await worker.stop();
    await queue.close();
    await operator.end();
  }
  return { toAbort: spread(toAbort), cancelCall: spread(cancelCall) };
}

export const fillFinishedHistory = (url, count) => fillHistory(url, count, { allFinished: true });
