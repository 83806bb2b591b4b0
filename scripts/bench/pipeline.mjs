#!/usr/bin/env node
// bench:pipeline — the whole path a user runs, with the built-in rules parser: `playbuddy enqueue` the
// corpus plays, then `playbuddy work --concurrency 2 --drain` as a process of its own; plays/s, lines
// stored/s, MB of text/s, the worker's peak RSS, and where the time goes (parse, store, queue overhead),
// from the worker's JSON log and the jobs' audit events. Then one ~5 MB play: time and peak memory.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { benchArgs } from './lib/args.mjs';
import { findPlays } from './lib/corpus.mjs';
import { createBenchDatabase, dropBenchDatabase } from './lib/database.mjs';
import { CLI, ROOT, distReady, fromDist } from './lib/dist.mjs';
import { runNode } from './lib/process.mjs';
import { printSummary, progress, runBench } from './lib/report.mjs';
import { round } from './lib/stats.mjs';

const args = benchArgs({ corpus: { type: 'string' } });
const CONCURRENCY = 2;
const BIG_PLAY_BYTES = 5 * 2 ** 20;
const MB = 2 ** 20;

const { applyPendingMigrations } = await fromDist('db/migrate.js');

async function hasWorkCommand() {
  await distReady();
  const r = await runNode([CLI, 'work', '--help'], { cwd: ROOT });
  return r.code === 0;
}

/** JSON log lines of the worker; anything else on stderr (a stack trace) is kept for the error message. */
function parseLog(stderr) {
  const entries = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      entries.push(JSON.parse(line));
    } catch {
      // A line cut by the process exiting mid-write.
    }
  }
  return entries;
}

async function runWorker(url, concurrency, useCli) {
  const argv = useCli
    ? [CLI, '--log-format', 'json', 'work', '--concurrency', String(concurrency), '--drain']
    : [join(ROOT, 'scripts', 'bench', 'lib', 'pipeline-worker.mjs'), String(concurrency)];
  await distReady();
  const r = await runNode(argv, { cwd: ROOT, env: { DATABASE_URL: url }, sampleMs: 25, timeoutMs: 240_000 });
  if (r.code !== 0) throw new Error(`worker exited ${r.code ?? r.signal}: ${r.stderr.split('\n').filter((l) => !l.startsWith('{')).join('\n').slice(-2000)}`);
  return { ...r, log: parseLog(r.stderr) };
}

async function enqueue(url, files) {
  await distReady();
  const r = await runNode([CLI, 'enqueue', ...files], { cwd: ROOT, env: { DATABASE_URL: url } });
  if (r.code !== 0) throw new Error(`enqueue exited ${r.code}: ${r.stderr}`);
  return r;
}

/**
 * Per-job spans from the audit trail (claimed → completed), and the totals the database holds afterwards.
 * Queue overhead is what a job's span holds besides parsing and storing: claim-to-handler, loading the
 * parser, checkpoint and event writes, completion.
 */
async function outcome(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows: [totals] } = await c.query(`
      SELECT (SELECT count(*) FROM "ParseJob" WHERE status = 'completed')::int AS completed,
             (SELECT count(*) FROM "ParseJob")::int AS jobs,
             (SELECT coalesce(sum(octet_length("rawText")), 0) FROM "ParseJob" WHERE status = 'completed')::bigint AS bytes,
             (SELECT count(*) FROM "Line")::int AS lines,
             (SELECT count(*) FROM "JobEvent")::int AS events`);
    const { rows: spans } = await c.query(`
      SELECT j.id, extract(epoch FROM (done."createdAt" - claim."createdAt")) * 1000 AS span_ms,
             extract(epoch FROM claim."createdAt") * 1000 AS claimed_at,
             extract(epoch FROM done."createdAt") * 1000 AS completed_at
      FROM "ParseJob" j
      JOIN LATERAL (SELECT max("createdAt") AS "createdAt" FROM "JobEvent" WHERE "jobId" = j.id AND event = 'running') claim ON true
      JOIN LATERAL (SELECT max("createdAt") AS "createdAt" FROM "JobEvent" WHERE "jobId" = j.id AND event = 'completed') done ON true
      WHERE j.status = 'completed'`);
    return { ...totals, bytes: Number(totals.bytes), spans: spans.map((s) => ({ id: s.id, spanMs: Number(s.span_ms), claimedAt: Number(s.claimed_at), completedAt: Number(s.completed_at) })) };
  } finally {
    await c.end();
  }
}

function stages(log, spans) {
  const stored = log.filter((e) => e.msg === 'play stored');
  const parseMs = stored.reduce((a, e) => a + (e.parseMs ?? 0), 0);
  const storeMs = stored.reduce((a, e) => a + (e.storeMs ?? 0), 0);
  const spanMs = spans.reduce((a, s) => a + s.spanMs, 0);
  return { parseMs, storeMs, spanMs, queueMs: Math.max(0, spanMs - parseMs - storeMs), jobsLogged: stored.length };
}

async function corpusRun(report, files, useCli) {
  const { name, url } = await createBenchDatabase('pipeline');
  try {
    await applyPendingMigrations(url);
    progress(`enqueue ${files.length} plays`);
    const enq = await enqueue(url, files);
    progress(`work --concurrency ${CONCURRENCY} --drain`);
    const w = await runWorker(url, CONCURRENCY, useCli);
    const o = await outcome(url);
    const s = stages(w.log, o.spans);
    const firstClaim = Math.min(...o.spans.map((x) => x.claimedAt));
    const lastDone = Math.max(...o.spans.map((x) => x.completedAt));
    const busySec = (lastDone - firstClaim) / 1000;
    const wallSec = w.ms / 1000;
    const how = useCli ? `work --concurrency ${CONCURRENCY} --drain` : `worker library + parse handler in a child process (no \`work\` command yet), concurrency ${CONCURRENCY}`;
    const base = { system: 'playbuddy', plays: o.completed, jobs: o.jobs, label: how };
    if (o.completed !== files.length) progress(`only ${o.completed} of ${files.length} plays completed`);
    report.emit({ ...base, metric: 'enqueue_corpus', value: round(enq.ms, 0), unit: 'ms', label: `playbuddy enqueue <${files.length} files> (process wall time)` });
    report.emit({ ...base, metric: 'plays_per_s', value: round(o.completed / wallSec, 2), unit: 'plays/s', wall_s: round(wallSec, 2), busy_s: round(busySec, 2), plays_per_s_busy: round(o.completed / busySec, 2) });
    report.emit({ ...base, metric: 'lines_per_s', value: round(o.lines / wallSec, 0), unit: 'lines/s', lines: o.lines, lines_per_s_busy: round(o.lines / busySec, 0) });
    report.emit({ ...base, metric: 'text_mb_per_s', value: round(o.bytes / MB / wallSec, 3), unit: 'MB/s', mb: round(o.bytes / MB, 2), text_mb_per_s_busy: round(o.bytes / MB / busySec, 3) });
    report.emit({ ...base, metric: 'worker_peak_rss', value: round(w.peakRssMb, 0), unit: 'MB' });
    for (const [metric, ms] of [['stage_parse', s.parseMs], ['stage_store', s.storeMs], ['stage_queue_overhead', s.queueMs]]) {
      report.emit({ ...base, metric, value: round(ms, 0), unit: 'ms', share: round(ms / s.spanMs, 3), per_play_ms: round(ms / o.completed, 1), label: 'summed over jobs (they overlap at concurrency 2); share of the summed job spans' });
    }
    report.emit({ ...base, metric: 'process_overhead', value: round((wallSec - busySec) * 1000, 0), unit: 'ms', label: 'worker wall time outside first claim → last completion (start-up, connect, shutdown)' });
  } finally {
    await dropBenchDatabase(name);
  }
}

/** Corpus plays back to back until the text passes 5 MB: one very long play, as a whole collected works would be. */
function bigPlay(files, dir) {
  const parts = [];
  let size = 0;
  for (let i = 0; size < BIG_PLAY_BYTES; i = (i + 1) % files.length) {
    const text = readFileSync(files[i], 'utf8');
    parts.push(text);
    size += Buffer.byteLength(text);
  }
  const file = join(dir, 'collected-works.txt');
  writeFileSync(file, parts.join('\n\n'));
  return { file, bytes: statSync(file).size, plays: parts.length };
}

async function bigPlayRun(report, files, useCli) {
  const tmp = mkdtempSync(join(tmpdir(), 'playbuddy-bench-'));
  const { name, url } = await createBenchDatabase('pipeline_big');
  try {
    const big = bigPlay(files, tmp);
    progress(`one ${round(big.bytes / MB, 1)} MB play (${big.plays} corpus plays back to back)`);
    await applyPendingMigrations(url);
    await enqueue(url, [big.file]);
    const w = await runWorker(url, 1, useCli);
    const o = await outcome(url);
    const s = stages(w.log, o.spans);
    const base = { system: 'playbuddy', mb: round(big.bytes / MB, 2), label: `one ${round(big.bytes / MB, 1)} MB play (${big.plays} corpus plays concatenated)` };
    if (o.completed !== 1) throw new Error('the big play did not complete');
    report.emit({ ...base, metric: 'big_play_wall', value: round(w.ms, 0), unit: 'ms', lines: o.lines, parse_ms: round(s.parseMs, 0), store_ms: round(s.storeMs, 0), queue_overhead_ms: round(s.queueMs, 0) });
    report.emit({ ...base, metric: 'big_play_peak_rss', value: round(w.peakRssMb, 0), unit: 'MB' });
  } finally {
    await dropBenchDatabase(name);
    rmSync(tmp, { recursive: true, force: true });
  }
}

await runBench('pipeline', async (report) => {
  const { dir, files, looked } = findPlays({ explicit: args.corpus, fallback: join('test', 'fixtures', 'plays') });
  if (files.length === 0) {
    progress(`no plays to run: looked in ${looked.join(', ')}; set PLAYBUDDY_CORPUS or pass --corpus <dir of .txt plays>`);
    report.emit({ system: 'playbuddy', metric: 'skipped', reason: 'no corpus found', looked });
    return;
  }
  const useCli = await hasWorkCommand();
  if (!useCli) progress('`playbuddy work` does not exist yet: running the worker library with the parse handler in a child process instead');
  const mb = files.reduce((a, f) => a + statSync(f).size, 0) / MB;
  progress(`corpus: ${files.length} plays, ${round(mb, 2)} MB from ${dir}`);
  for (let run = 1; run <= args.runs; run++) {
    report.run = run;
    await corpusRun(report, files, useCli);
    await bigPlayRun(report, files, useCli);
  }
  printSummary(`pipeline: ${files.length} plays (${round(mb, 2)} MB), rules parser, concurrency ${CONCURRENCY}`, report.aggregate());
});
