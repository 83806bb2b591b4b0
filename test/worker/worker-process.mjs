// A worker process for the process-level tests: the compiled worker library (dist/, built by `npm test`)
// with a test handler that parses nothing but behaves like the pipeline: it works through chunks, saving a
// checkpoint after each, stops when its signal aborts, and completes by recording itself in the completing
// transaction. Every chunk run, stop and completion is recorded, so the tests can see who ran what.
import { openWorkerConnections } from '../../dist/worker/connections.js';
import { startWorker } from '../../dist/worker/worker.js';
import { createLogger } from '../../dist/log/logger.js';

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const url = process.env.DATABASE_URL;
const concurrency = env('PB_CONCURRENCY', 1);
const chunks = env('PB_CHUNKS', 5);
const chunkMs = env('PB_CHUNK_MS', 100);
const storeMs = env('PB_STORE_MS', 0);

const log = await createLogger({ format: 'json', level: process.env.PB_LOG_LEVEL ?? 'info' });
// Behind a transaction pooler: DATABASE_URL is the pooler, PB_LISTEN_URL reaches PostgreSQL itself ('' = none).
const pooled = process.env.PB_POOLED === '1';
const listenUrl = process.env.PB_LISTEN_URL === undefined ? url : process.env.PB_LISTEN_URL || undefined;
const connections = openWorkerConnections(url, { concurrency, pooled });
const { pool } = connections;

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

async function handler(job, ctx) {
  ctx.signal.addEventListener('abort', () => {
    pool.query('INSERT INTO stops (job_id, pid, reason) VALUES ($1, $2, $3)', [job.id, process.pid, String(ctx.signal.reason?.message ?? ctx.signal.reason)]).catch(() => {});
  });
  for (let chunk = job.currentState?.next ?? 0; chunk < chunks; chunk++) {
    await pool.query('INSERT INTO chunk_runs (job_id, chunk, pid, attempt) VALUES ($1, $2, $3, $4)', [job.id, chunk, process.pid, job.attempt]);
    await sleep(chunkMs, ctx.signal);
    await ctx.checkpoint({ state: { next: chunk + 1 }, completedChunks: chunk + 1, totalChunks: chunks, progress: ((chunk + 1) / chunks) * 100, entry: { chunk } });
  }
  await ctx.complete(async (tx) => {
    // A slow store (a long play): the transaction holds the job's row meanwhile.
    if (storeMs > 0) await tx.query('SELECT pg_sleep($1)', [storeMs / 1000]);
    await tx.query('INSERT INTO completions (job_id, pid) VALUES ($1, $2)', [job.id, process.pid]);
    return { playbookId: `pb-${job.id}` };
  });
}

const worker = await startWorker({
  pool,
  listenUrl,
  handlers: { PARSE_PLAY: handler },
  log,
  concurrency,
  leaseMs: env('PB_LEASE_MS', 2_000),
  pollMs: env('PB_POLL_MS', 200),
  graceMs: env('PB_GRACE_MS', 1_000),
  backoff: { baseMs: env('PB_RETRY_MS', 200), capMs: 2_000 },
  drain: process.env.PB_DRAIN === '1',
});
let signalled = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (signalled) process.exit(130);
    signalled = true;
    void worker.stop();
  });
}
process.stdout.write(`ready ${worker.id}\n`);
const summary = await worker.stopped;
await connections.close();
process.stdout.write(`summary ${JSON.stringify(summary)}\n`);
