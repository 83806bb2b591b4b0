#!/usr/bin/env node
// bench:status — how fast `playbuddy status` answers with a long history: 100,000 jobs (mostly finished,
// with their audit events) in a database of its own. Times the real command as a process (what a user
// waits for) and each repository query in process (what the database costs), and shows the plan of every
// query slower than the budget so the missing index is obvious.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { benchArgs } from './lib/args.mjs';
import { createBenchDatabase } from './lib/database.mjs';
import { HISTORY_BATCH as BATCH, fillHistory } from './lib/history.mjs';
import { CLI, ROOT, distReady, fromDist } from './lib/dist.mjs';
import { runNode } from './lib/process.mjs';
import { printSummary, progress, runBench } from './lib/report.mjs';
import { startRecording, stopRecording, shortSql } from './lib/statements.mjs';
import { round, spread } from './lib/stats.mjs';

const JOBS = 100_000;
const PROCESS_SAMPLES = 3;
const QUERY_SAMPLES = 5;
// What the issue asks of `status`; any query over a tenth of it is worth an EXPLAIN.
const BUDGET_MS = 1000;
const EXPLAIN_OVER_MS = 10;

const args = benchArgs();
const { openDatabase } = await fromDist('db/open.js');
const { createPool } = await fromDist('db/pool.js');
const repo = await fromDist('queue/repository.js');
const reads = await fromDist('queue/reads.js');

/** A finished job from the middle of the history, as someone looking into an old import would pick. */
async function completedJobId(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query(`SELECT id FROM "ParseJob" WHERE status = 'completed' ORDER BY "createdAt" LIMIT 1 OFFSET 5000`);
    return rows[0].id;
  } finally {
    await c.end();
  }
}

/** Median wall time of `playbuddy <args>` against the bench database, as a user would run it. */
async function timeCommand(url, cliArgs) {
  const samples = [];
  let last;
  for (let i = 0; i < PROCESS_SAMPLES; i++) {
    await distReady();
    last = await runNode([CLI, ...cliArgs], { cwd: ROOT, env: { DATABASE_URL: url, NO_COLOR: '1' } });
    // health answers 1 or 2 on purpose for a history with failures in it.
    if (last.code !== 0 && !(cliArgs[0] === 'health' && last.code <= 2)) throw new Error(`playbuddy ${cliArgs.join(' ')} exited ${last.code}: ${last.stderr}`);
    samples.push(last.ms);
  }
  return { ...spread(samples), peakRssMb: last.peakRssMb };
}

/** Warm in-process time of one repository call, with the statements it sent and their share of the time. */
async function timeQuery(fn) {
  await fn();
  const samples = [];
  startRecording();
  for (let i = 0; i < QUERY_SAMPLES; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  const statements = stopRecording();
  return { ...spread(samples), statements };
}

async function explain(url, statement) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) ${statement.text}`, statement.sampleParams);
    return rows.map((r) => r['QUERY PLAN']);
  } finally {
    await c.end();
  }
}

await runBench('status', async (report) => {
  const { name, url } = await createBenchDatabase('status');
  progress(`database ${name}: enqueuing ${JOBS.toLocaleString('en')} jobs in batches of ${BATCH.toLocaleString('en')}`);
  const db = await openDatabase(url, { max: 5 });
  // The queue's reads go through pg, as `playbuddy status` sends them.
  const sql = createPool(url, { max: 5 });
  const history = await fillHistory(url, JOBS);
  report.emit({
    system: 'playbuddy', metric: 'setup_enqueue', value: round(JOBS / (history.enqueueMs / 1000), 0), unit: 'jobs/s',
    label: `enqueueJobs, force, ${JOBS / BATCH} batches of ${BATCH}`, jobs: history.jobs, events: history.events,
  });
  progress(`${history.jobs.toLocaleString('en')} jobs, ${history.events.toLocaleString('en')} events`);
  const id = await completedJobId(url);
  const commands = [
    ['cli_version', ['--version'], 'process start without a database (the floor of every command)'],
    ['cli_status', ['status'], 'playbuddy status (default view)'],
    ['cli_status_failed', ['status', '--status', 'failed', '--limit', '50'], 'playbuddy status --status failed --limit 50'],
    ['cli_status_id', ['status', id.slice(0, 8)], 'playbuddy status <8-char id prefix>'],
    ['cli_metrics', ['metrics', '--json'], 'playbuddy metrics --json'],
    ['cli_metrics_prometheus', ['metrics', '--prometheus'], 'playbuddy metrics --prometheus'],
    ['cli_health', ['health', '--json', '--min-workers', '0'], 'playbuddy health --json (exit code ignored)'],
  ];
  const slow = new Map();
  try {
    for (let run = 1; run <= args.runs; run++) {
      report.run = run;
      for (const [metric, cliArgs, label] of commands) {
        const t = await timeCommand(url, cliArgs);
        report.emit({ system: 'playbuddy', metric, value: round(t.median, 1), unit: 'ms', min: round(t.min, 1), max: round(t.max, 1), samples: t.n, peak_rss_mb: round(t.peakRssMb, 0), label });
      }
      const startup = await runNode([join(ROOT, 'scripts', 'bench', 'lib', 'prisma-startup.mjs')], { cwd: ROOT, env: { DATABASE_URL: url } });
      if (startup.code !== 0) throw new Error(`prisma-startup exited ${startup.code}: ${startup.stderr}`);
      const phases = JSON.parse(startup.stdout);
      report.emit({ system: 'playbuddy', metric: 'startup_to_first_answer', value: phases.first_query, unit: 'ms', phases_ms: phases, label: 'fresh process: imports, database checks, Prisma connect, first listJobs' });
      const queries = [
        ['query_list_jobs', () => repo.listJobs(sql, {}), 'listJobs (20 newest)'],
        ['query_list_failed', () => repo.listJobs(sql, { statuses: ['failed'], limit: 50 }), 'listJobs (failed, 50)'],
        ['query_count_by_status', () => repo.countByStatus(sql), 'countByStatus'],
        ['query_live_workers', () => repo.liveWorkers(sql), 'liveWorkers'],
        ['query_get_job_prefix', () => repo.getJob(sql, id.slice(0, 8)), 'getJob by 8-char prefix'],
        ['query_job_events', () => repo.jobEvents(sql, id), 'jobEvents'],
        ['query_health_facts', () => reads.healthFacts(sql, 15 * 60_000), 'healthFacts (15m window)'],
        ['query_window_metrics', () => reads.windowMetrics(sql, 60 * 60_000), 'windowMetrics (1h window)'],
        ['query_spend_per_day', () => reads.spendPerDay(sql, 7), 'spendPerDay (7 days)'],
      ];
      for (const [metric, fn, label] of queries) {
        const t = await timeQuery(fn);
        const statements = t.statements.filter((s) => !/^(BEGIN|COMMIT|ROLLBACK)/i.test(s.text));
        report.emit({ system: 'playbuddy', metric, value: round(t.median, 2), unit: 'ms', min: round(t.min, 2), max: round(t.max, 2), samples: t.n, statements_per_call: statements.reduce((a, s) => a + s.calls, 0) / t.n, label });
        for (const s of statements) if (s.ms / s.calls > EXPLAIN_OVER_MS) slow.set(s.text, s);
      }
    }
    // Then prune half the history (it spans 30 days) and time the commands again on what is left.
    report.run = 1;
    const pruned = await runNode([CLI, 'prune', '--older-than', '15d', '--json'], { cwd: ROOT, env: { DATABASE_URL: url, NO_COLOR: '1' } });
    if (pruned.code !== 0) throw new Error(`prune exited ${pruned.code}: ${pruned.stderr}`);
    const p = JSON.parse(pruned.stdout);
    report.emit({ system: 'playbuddy', metric: 'cli_prune_15d', value: round(pruned.ms, 0), unit: 'ms', jobs: p.jobs, events: p.events, label: `playbuddy prune --older-than 15d (${p.jobs.toLocaleString('en')} jobs, ${p.events.toLocaleString('en')} events, batches of 1,000)` });
    const { rows: [leftJobs] } = await sql.query(`SELECT count(*)::int AS n FROM "ParseJob"`);
    for (const [metric, cliArgs, label] of commands.filter(([m]) => m !== 'cli_version' && m !== 'cli_status_id')) {
      const t = await timeCommand(url, cliArgs);
      report.emit({ system: 'playbuddy', metric: `${metric}_after_prune`, value: round(t.median, 1), unit: 'ms', min: round(t.min, 1), max: round(t.max, 1), samples: t.n, label: `${label}, after prune (${leftJobs.n.toLocaleString('en')} jobs left)` });
    }
  } finally {
    await db.$disconnect();
    await sql.end();
  }
  for (const s of slow.values()) {
    const plan = await explain(url, s);
    report.emit({ system: 'playbuddy', metric: 'slow_query', sql: shortSql(s.text, 400), mean_ms: round(s.ms / s.calls, 1), plan });
    progress(`slow query (${round(s.ms / s.calls, 1)} ms): ${shortSql(s.text)}\n${plan.join('\n')}`);
  }
  const aggregates = report.aggregate().filter((a) => a.unit === 'ms');
  printSummary(`status with ${history.jobs.toLocaleString('en')} jobs and ${history.events.toLocaleString('en')} events (budget ${BUDGET_MS} ms per command)`, aggregates);
  const over = aggregates.filter((a) => a.metric.startsWith('cli_status') && a.value > BUDGET_MS);
  if (over.length) process.stderr.write(`over budget: ${over.map((a) => a.metric).join(', ')}\n`);
  if (slow.size === 0) process.stderr.write(`no query took over ${EXPLAIN_OVER_MS} ms\n`);
});
