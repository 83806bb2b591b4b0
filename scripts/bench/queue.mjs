#!/usr/bin/env node
// bench:queue — playbuddy's job queue and worker (no-op handler, so it measures the queue, not the parser)
// side by side with graphile-worker's default configuration, in the same run, each in a database of its
// own: bulk enqueue, drain at concurrency 2 and 8 and with two worker processes, and enqueue→start latency
// from another process into an idle worker. Then what only playbuddy has: cancel→stopped latency of a
// running job, and a drain with 100,000 finished jobs in the table (graphile-worker deletes finished jobs).
// Beside every drain and the bulk enqueue: PostgreSQL's CPU time and the WAL records per job for both
// systems, so the cause of a gap shows in the same run even where a busy machine blurs the jobs/s.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pgbouncerBinary, startPgBouncer } from '../lib/pgbouncer.mjs';
import { benchArgs } from './lib/args.mjs';
import { createBenchDatabase, dropBenchDatabase } from './lib/database.mjs';
import { ROOT } from './lib/dist.mjs';
import { GRAPHILE_BATCHED_PRESET } from './lib/graphile.mjs';
import { forkHelper, wallNow } from './lib/process.mjs';
import { printSummary, progress, runBench } from './lib/report.mjs';
import { serverCostProbe } from './lib/server-cost.mjs';
import { shortSql, startRecording, stopRecording } from './lib/statements.mjs';
import { round, spread } from './lib/stats.mjs';
import { loadSystem, playbuddyWorkerBuilt } from './lib/systems.mjs';

const args = benchArgs({ jobs: { type: 'string', default: '10000' }, only: { type: 'string' } });
const JOBS = Number(args.jobs);
const LATENCY_JOBS = 200;
const CONCURRENCIES = [2, 8];
const PROCESSES = 2;
const PER_PROCESS_CONCURRENCY = 4;
// Scale-out as production runs it: more processes than the pooler has server connections for.
const POOLED_PROCESSES = 4;
const POOLED_SERVER_CONNECTIONS = 8;
const HISTORY_JOBS = 100_000;
const DRAIN_TIMEOUT_MS = 120_000;
const HELPER = join(ROOT, 'scripts', 'bench', 'lib', 'queue-helper.mjs');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `target` handler starts were counted; `seen` maps tag → seq → wall-clock start. */
function startCounter() {
  const seen = new Map();
  let waiting = null;
  let count = 0;
  return {
    onStart(tag, seq) {
      const t = wallNow();
      if (!seen.has(tag)) seen.set(tag, new Map());
      seen.get(tag).set(seq, t);
      count++;
      if (waiting && count >= waiting.target) waiting.resolve();
    },
    get count() {
      return count;
    },
    reach(target, timeoutMs) {
      if (count >= target) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        waiting = { target, resolve: () => (clearTimeout(timer), resolve(true)) };
      });
    },
    starts: (tag) => seen.get(tag) ?? new Map(),
    reset() {
      seen.clear();
      count = 0;
      waiting = null;
    },
  };
}

async function untilEmpty(queue, deadline) {
  while (performance.now() < deadline) {
    if ((await queue.pending()) === 0) return true;
    await sleep(20);
  }
  return false;
}

async function measureEnqueue(queue, tag, probe) {
  const before = probe && (await probe.snapshot());
  const t = performance.now();
  await queue.enqueueMany(tag, JOBS);
  const ms = performance.now() - t;
  return { ms, cost: probe ? await probe.since(before) : undefined };
}

/**
 * Drain time of a fresh backlog: from starting the worker (connecting included, as `work` would) until the
 * database holds no unfinished job. Handler starts alone would stop the clock before the last completions
 * are written.
 */
async function drainInProcess(system, url, queue, counter, concurrency, preset, profile = false, probe = undefined) {
  counter.reset();
  if (profile) startRecording();
  const before = probe && (await probe.snapshot());
  const started = performance.now();
  const worker = await system.startWorker(url, { concurrency, onStart: counter.onStart, preset });
  const handlersDone = await counter.reach(JOBS, DRAIN_TIMEOUT_MS);
  const empty = handlersDone && (await untilEmpty(queue, started + DRAIN_TIMEOUT_MS));
  const ms = performance.now() - started;
  // Before the worker's connections close, so their server processes can still be read.
  const cost = probe ? await probe.since(before) : undefined;
  await worker.stop();
  return { ms, drained: empty, handled: counter.count, statements: profile ? stopRecording() : undefined, cost };
}

/** `pooledUrl`: the workers reach the database through PgBouncer (LISTEN, for playbuddy, still on `url`). */
async function drainWithProcesses(system, url, queue, probe, { processes = PROCESSES, pooledUrl } = {}) {
  const helpers = Array.from({ length: processes }, () =>
    forkHelper(HELPER, ['worker', system.name, url, String(PER_PROCESS_CONCURRENCY), ...(pooledUrl ? [pooledUrl] : [])]),
  );
  try {
    await Promise.all(helpers.map((h) => h.next('ready')));
    const before = await probe.snapshot();
    const started = performance.now();
    for (const h of helpers) h.send({ type: 'go' });
    const empty = await untilEmpty(queue, started + DRAIN_TIMEOUT_MS);
    const ms = performance.now() - started;
    const cost = await probe.since(before);
    for (const h of helpers) h.send({ type: 'stop' });
    const handled = (await Promise.all(helpers.map((h) => h.next('stopped')))).map((m) => m.handled);
    return { ms, drained: empty, handled: handled.reduce((a, b) => a + b, 0), perProcess: handled, cost };
  } finally {
    await Promise.all(helpers.map((h) => h.stop()));
  }
}

/** Enqueue→start: another process adds jobs one at a time while a concurrency-2 worker here sits idle. */
async function latency(system, url, counter) {
  counter.reset();
  const worker = await system.startWorker(url, { concurrency: 2, onStart: counter.onStart });
  const enqueuer = forkHelper(HELPER, ['enqueuer', system.name, url, String(LATENCY_JOBS), '7']);
  try {
    await enqueuer.next('ready');
    await sleep(300);
    enqueuer.send({ type: 'go', tag: 'latency' });
    const { calls } = await enqueuer.next('done');
    await counter.reach(LATENCY_JOBS + 1, 15_000);
    const starts = counter.starts('latency');
    const lat = calls.filter((c) => starts.has(c.seq)).map((c) => starts.get(c.seq) - c.before);
    return { latency: spread(lat), enqueueCall: spread(calls.map((c) => c.after - c.before)), missing: LATENCY_JOBS - lat.length };
  } finally {
    await enqueuer.stop();
    await worker.stop();
  }
}

/** Round trips per job during a drain, and which statements they are: what to remove to go faster. */
function emitProfile(report, system, statements, jobs) {
  const total = statements.reduce((a, s) => a + s.calls, 0);
  report.emit({
    system, metric: 'statements_per_job_c2', value: round(total / jobs, 2), unit: 'statements/job',
    label: 'statements sent during the concurrency-2 drain, per job (benchmark polling excluded)',
    top: statements.slice(0, 8).map((s) => ({ per_job: round(s.calls / jobs, 3), mean_ms: round(s.ms / s.calls, 2), sql: shortSql(s.text, 120) })),
  });
}

async function benchSystem(report, systemName) {
  const system = await loadSystem(systemName);
  const { name: dbName, url } = await createBenchDatabase(`queue_${systemName.replace(/\W/g, '_')}`);
  const queue = await system.open(url);
  const probe = await serverCostProbe(url);
  const counter = startCounter();
  const base = { system: systemName };
  const ratioFor = (metric, value, higherIsBetter) => {
    if (systemName !== 'playbuddy') return {};
    const theirs = report.valueOf('graphile-worker', metric);
    if (typeof theirs !== 'number' || !value) return {};
    return { ratio: round(higherIsBetter ? value / theirs : theirs / value, 2) };
  };
  const rate = (metric, r, label, extra = {}) => {
    const value = round(r.handled / (r.ms / 1000), 0);
    report.emit({ ...base, metric, value, unit: 'jobs/s', ms: round(r.ms, 0), jobs: JOBS, drained: r.drained, label, ...extra, ...ratioFor(metric, value, true) });
    if (r.cost) emitCost(metric, r.cost, r.handled);
  };
  // What the server spent per job in the same run: where a gap in jobs/s comes from, even on a busy machine.
  const emitCost = (metric, cost, jobs) => {
    if (cost.cpuMs !== null) {
      const value = round(cost.cpuMs / jobs, 3);
      report.emit({ ...base, metric: `${metric}_server_cpu`, value, unit: 'ms/job', label: 'PostgreSQL CPU time per job (server processes of this database)', ...ratioFor(`${metric}_server_cpu`, value, false) });
    }
    const records = round(cost.walRecords / jobs, 1);
    report.emit({ ...base, metric: `${metric}_wal`, value: records, unit: 'WAL records/job', wal_bytes_per_job: round(cost.walBytes / jobs, 0), counted_by: cost.walRecordsExact ? 'pg_waldump' : 'pg_stat_wal', label: 'WAL per job (cluster-wide: exact on a quiet server)', ...ratioFor(`${metric}_wal`, records, false) });
  };
  try {
    const enqueues = [];
    for (const c of CONCURRENCIES) {
      progress(`${systemName}: enqueue ${JOBS} and drain at concurrency ${c}`);
      enqueues.push(await measureEnqueue(queue, `c${c}`, probe));
      const r = await drainInProcess(system, url, queue, counter, c, undefined, c === 2, probe);
      rate(`drain_c${c}`, r, `one process, concurrency ${c}, defaults`);
      if (r.statements) emitProfile(report, systemName, r.statements, r.handled);
    }
    progress(`${systemName}: drain with ${PROCESSES} processes × concurrency ${PER_PROCESS_CONCURRENCY}`);
    enqueues.push(await measureEnqueue(queue, 'procs', probe));
    const multi = await drainWithProcesses(system, url, queue, probe);
    rate(`drain_${PROCESSES}proc`, multi, `${PROCESSES} processes × concurrency ${PER_PROCESS_CONCURRENCY}`, { per_process: multi.perProcess });
    if (pgbouncerBinary()) {
      progress(`${systemName}: drain with ${POOLED_PROCESSES} processes × concurrency ${PER_PROCESS_CONCURRENCY} through PgBouncer`);
      enqueues.push(await measureEnqueue(queue, 'pooled', probe));
      const bouncer = await startPgBouncer(url, { poolSize: POOLED_SERVER_CONNECTIONS });
      try {
        const pooled = await drainWithProcesses(system, url, queue, probe, { processes: POOLED_PROCESSES, pooledUrl: bouncer.url(dbName) });
        rate(`drain_${POOLED_PROCESSES}proc_pgbouncer`, pooled,
          `${POOLED_PROCESSES} processes × concurrency ${PER_PROCESS_CONCURRENCY} through PgBouncer 1.18 (transaction pooling, ${POOLED_SERVER_CONNECTIONS} server connections)`,
          { per_process: pooled.perProcess });
      } finally {
        await bouncer.stop();
      }
    } else {
      progress('pgbouncer is not installed: skipping the pooled drain (apt-get install pgbouncer)');
    }
    const enq = spread(enqueues.map((e) => e.ms));
    const enqueueRate = round(JOBS / (enq.median / 1000), 0);
    report.emit({ ...base, metric: 'enqueue_bulk', value: enqueueRate, unit: 'jobs/s', ms: round(enq.median, 0), min_ms: round(enq.min, 0), max_ms: round(enq.max, 0), fills: enq.n, jobs: JOBS, label: `one library call per ${JOBS.toLocaleString('en')} jobs (median of the fills)`, ...ratioFor('enqueue_bulk', enqueueRate, true) });
    const enqueueCost = enqueues.map((e) => e.cost).reduce((a, c) => ({
      cpuMs: a.cpuMs === null || c.cpuMs === null ? null : a.cpuMs + c.cpuMs,
      walBytes: a.walBytes + c.walBytes,
      walRecords: a.walRecords + c.walRecords,
      walRecordsExact: a.walRecordsExact && c.walRecordsExact,
    }));
    emitCost('enqueue_bulk', enqueueCost, JOBS * enqueues.length);

    progress(`${systemName}: enqueue→start latency over ${LATENCY_JOBS} single enqueues from another process`);
    const lat = await latency(system, url, counter);
    for (const [metric, value] of [['latency_median', lat.latency.median], ['latency_p95', lat.latency.p95]]) {
      report.emit({ ...base, metric, value: round(value, 2), unit: 'ms', min: round(lat.latency.min, 2), max: round(lat.latency.max, 2), jobs: LATENCY_JOBS, missing: lat.missing, label: 'enqueue call (separate process) → handler start, idle worker, concurrency 2', ...ratioFor(metric, value, false) });
    }
    report.emit({ ...base, metric: 'enqueue_one_call', value: round(lat.enqueueCall.median, 2), unit: 'ms', p95: round(lat.enqueueCall.p95, 2), label: 'duration of one single-job enqueue call (part of the latency above)' });

    if (systemName === 'graphile-worker') {
      for (const c of CONCURRENCIES) {
        progress(`${systemName}: batched mode at concurrency ${c}`);
        await measureEnqueue(queue, `batched${c}`);
        rate(`drain_c${c}_batched`, await drainInProcess(system, url, queue, counter, c, GRAPHILE_BATCHED_PRESET), 'opt-in batching (localQueue 500, batched completion): trades crash safety for speed');
      }
    } else {
      await playbuddyOnly(report, system, url, queue, counter);
    }
  } finally {
    await probe.close();
    await queue.close();
    await dropBenchDatabase(dbName);
  }
}

async function playbuddyOnly(report, system, url, queue, counter) {
  const { cancelLatency, fillFinishedHistory } = await import('./lib/playbuddy-queue.mjs');
  progress('playbuddy: cancel→stopped latency of a running job');
  const cancel = await cancelLatency(url, 20);
  report.emit({ system: 'playbuddy', metric: 'cancel_to_abort', value: round(cancel.toAbort.median, 2), unit: 'ms', p95: round(cancel.toAbort.p95, 2), min: round(cancel.toAbort.min, 2), max: round(cancel.toAbort.max, 2), jobs: cancel.toAbort.n, cancel_call_ms: round(cancel.cancelCall.median, 2), label: 'playbuddy only: cancel of a running job (its transaction) → the handler sees its signal aborted' });
  progress(`playbuddy: drain ${JOBS} at concurrency 2 with ${HISTORY_JOBS.toLocaleString('en')} finished jobs in the table`);
  const history = await fillFinishedHistory(url, HISTORY_JOBS);
  await measureEnqueue(queue, 'history');
  const r = await drainInProcess(system, url, queue, counter, 2);
  const value = round(r.handled / (r.ms / 1000), 0);
  const plain = report.valueOf('playbuddy', 'drain_c2');
  report.emit({
    system: 'playbuddy', metric: 'drain_c2_with_history', value, unit: 'jobs/s', ms: round(r.ms, 0), jobs: JOBS, drained: r.drained,
    history_jobs: history.jobs, history_events: history.events, vs_empty_table: plain ? round(value / plain, 2) : null,
    label: `playbuddy only: ${HISTORY_JOBS.toLocaleString('en')} finished jobs already in the table`,
  });
}

await runBench('queue', async (report) => {
  const systems = ['graphile-worker'];
  if (playbuddyWorkerBuilt()) systems.push('playbuddy');
  else progress('dist/worker has no worker yet: measuring graphile-worker alone (run `npm run build` once src/worker lands)');
  const chosen = args.only ? systems.filter((s) => s === args.only) : systems;
  for (let run = 1; run <= args.runs; run++) {
    report.run = run;
    for (const s of chosen) await benchSystem(report, s);
  }
  printSummary(`queue: ${JOBS.toLocaleString('en')} no-op jobs per drain, ${LATENCY_JOBS} latency jobs (ratio: higher is better for playbuddy)`, report.aggregate());
});
