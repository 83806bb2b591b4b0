import { Logger, makeWorkerUtils, run } from 'graphile-worker';
import pg from 'pg';
import { PROBE_APPLICATION } from './server-cost.mjs';
import { PROBE_MARK } from './statements.mjs';

// graphile-worker driven the way its README shows: run({ concurrency, taskList }) with library defaults
// (LISTEN/NOTIFY, one claim and one completion per job), unless `preset` opts into its batching.

const quiet = new Logger(() => (level, message) => {
  if (level === 'error' || level === 'warning') process.stderr.write(`[graphile-worker ${level}] ${message}\n`);
});

export const GRAPHILE_BATCHED_PRESET = {
  worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 },
};

export async function openGraphile(url) {
  const utils = await makeWorkerUtils({ connectionString: url, logger: quiet });
  await utils.migrate();
  const probe = new pg.Client({ connectionString: url, application_name: PROBE_APPLICATION });
  await probe.connect();
  return {
    /** One library call, as its docs recommend for bulk inserts (a single add_jobs() statement). */
    enqueueMany: (tag, count) =>
      utils.addJobs(Array.from({ length: count }, (_, seq) => ({ identifier: 'noop', payload: { tag, seq } }))),
    enqueueOne: (tag, seq) => utils.addJob('noop', { tag, seq }),
    // Completed jobs are deleted, so every row left is unfinished.
    pending: async () => (await probe.query(`${PROBE_MARK} SELECT count(*)::int AS n FROM graphile_worker._private_jobs`)).rows[0].n,
    async close() {
      await probe.end();
      await utils.release();
    },
  };
}

/** A worker whose handler only reports that it started; `onStart(tag, seq)` is called synchronously. */
export async function startGraphileWorker(url, { concurrency, onStart, preset, pooled = false }) {
  const runner = await run({
    connectionString: url,
    concurrency,
    // Its documented setting for PgBouncer in transaction mode.
    ...(pooled ? { noPreparedStatements: true } : {}),
    noHandleSignals: true,
    logger: quiet,
    taskList: { noop: async (payload) => onStart(payload.tag, payload.seq) },
    ...(preset ? { preset } : {}),
  });
  return { stop: () => runner.stop() };
}
