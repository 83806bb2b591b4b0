import { Command, Option } from 'commander';
import { action, commandLogger, globalOptions } from './runtime.js';
import { spinner } from './progress.js';
import { shortId, truncate } from './format.js';
import { UserError } from '../errors.js';
import { durationOption, intOption } from './options.js';
import { formatDuration } from '../config/duration.js';
import type { JobEvent, WorkerSummary } from '../worker/worker.js';

interface WorkOptions {
  concurrency: number;
  lease: number;
  pollInterval: number;
  grace: number;
  retryDelay: number;
  drain?: boolean;
  waitRetries?: number;
  maxJobs?: number;
}

import { DEFAULT_CONCURRENCY, DEFAULT_GRACE_MS, DEFAULT_LEASE_MS, DEFAULT_POLL_MS } from '../worker/defaults.js';
import { DEFAULT_BACKOFF } from '../queue/backoff.js';

export function register(program: Command): void {
  program
    .command('work')
    .description('run queued jobs until stopped (Ctrl-C stops gracefully; a second Ctrl-C exits at once)')
    .addOption(new Option('-c, --concurrency <n>', 'jobs run at once in this process').env('PLAYBUDDY_CONCURRENCY').argParser(intOption(1, 256)).default(DEFAULT_CONCURRENCY))
    .addOption(
      new Option('--lease <duration>', 'how long a job stays ours without a heartbeat (renewed every lease/3, at most every 10s); a crashed worker\'s jobs are recovered after it')
        .env('PLAYBUDDY_LEASE')
        .argParser(durationOption(1_000))
        .default(DEFAULT_LEASE_MS, formatDuration(DEFAULT_LEASE_MS)),
    )
    .addOption(
      new Option('--poll-interval <duration>', 'safety-net poll when no notification arrives (also when backed-off retries become due)')
        .env('PLAYBUDDY_POLL_INTERVAL')
        .argParser(durationOption(10))
        .default(DEFAULT_POLL_MS, formatDuration(DEFAULT_POLL_MS)),
    )
    .addOption(
      new Option('--grace <duration>', 'on Ctrl-C/SIGTERM, how long running jobs may finish or reach a checkpoint before they are stopped and re-queued')
        .env('PLAYBUDDY_GRACE')
        .argParser(durationOption(0))
        .default(DEFAULT_GRACE_MS, formatDuration(DEFAULT_GRACE_MS)),
    )
    .addOption(
      new Option('--retry-delay <duration>', 'delay before the first retry of a failed attempt; doubles per retry, up to 10m, with jitter')
        .env('PLAYBUDDY_RETRY_DELAY')
        .argParser(durationOption(1))
        .default(DEFAULT_BACKOFF.baseMs, formatDuration(DEFAULT_BACKOFF.baseMs)),
    )
    .option('--drain', 'exit once nothing is runnable now and nothing runs here (for cron); prints what is left')
    .addOption(
      new Option('--wait-retries <duration>', 'with --drain: rather than exit, wait for a retry that falls due within this long (a 429 that clears in seconds)')
        .argParser(durationOption(1)),
    )
    .addOption(new Option('--max-jobs <n>', 'exit after running this many jobs').env('PLAYBUDDY_MAX_JOBS').argParser(intOption(1)))
    .addHelpText(
      'after',
      `
Examples:
  playbuddy work --concurrency 2
  playbuddy work --drain                      # from cron: process what is queued, then exit
  playbuddy work --drain --wait-retries 30s   # and wait for retries falling due within 30s
  PLAYBUDDY_LEASE=30s playbuddy work --max-jobs 100

Exit codes:
  0  stopped, drained or reached --max-jobs, and no job it ran failed for good
  1  the command itself failed (bad flag, no database)
  2  with --drain or --max-jobs: a job it ran failed for good (its id is in the summary line)
  130/143  a second Ctrl-C / SIGTERM exited at once`,
    )
    .action(action(run));
}

async function run(opts: WorkOptions, cmd: Command): Promise<number> {
  if (opts.waitRetries !== undefined && !opts.drain) {
    throw new UserError('--wait-retries only applies to --drain.', 'Add --drain, or leave --wait-retries out: a worker without --drain waits for retries anyway.');
  }
  // A person watching a drain gets a spinner and one line per job; the per-job logs would only repeat them.
  const view = opts.drain ? await drainView() : undefined;
  const g = globalOptions(cmd);
  const quiet = view?.interactive && !g.logLevel && !g.verbose;
  const log = await commandLogger(cmd, 'worker', quiet ? 'warn' : undefined);
  const [{ resolveDatabaseTarget }, { prepareTarget }, { openWorkerConnections, pooledConnectionBudget }, { startWorker }, { jobHandlers }, { countByStatus }, { markWorkerStopped }] =
    await Promise.all([
      import('../config/database.js'),
      import('../db/open.js'),
      import('../worker/connections.js'),
      import('../worker/worker.js'),
      import('../jobs/handlers.js'),
      import('../queue/repository.js'),
      import('../queue/workers.js'),
    ]);
  const target = resolveDatabaseTarget();
  const url = target.url;
  await prepareTarget(target);
  const connections = openWorkerConnections(url, {
    concurrency: opts.concurrency,
    pooled: target.pooled,
    onError: (err) => log.warn({ err: err.message }, 'a pooled database connection failed; it is replaced on next use'),
  });
  const budget = pooledConnectionBudget(opts.concurrency);
  log.info(
    { pooledConnections: budget, directConnections: target.direct ? 1 : 0, pooled: target.pooled },
    `connections: at most ${budget} through DATABASE_URL (--concurrency + 2)${target.direct ? ' and 1 for notifications' : ''}`,
  );
  if (!target.direct) {
    log.warn('DATABASE_URL leads to a pooler and PLAYBUDDY_DIRECT_DATABASE_URL is not set: finding jobs by polling every ' +
      `${formatDuration(opts.pollInterval)} instead of being notified`);
  }
  try {
    const worker = await startWorker({
      pool: connections.pool,
      listenUrl: target.direct,
      handlers: jobHandlers({ log }),
      log,
      concurrency: opts.concurrency,
      leaseMs: opts.lease,
      pollMs: opts.pollInterval,
      graceMs: opts.grace,
      backoff: { baseMs: opts.retryDelay, capMs: Math.max(opts.retryDelay, DEFAULT_BACKOFF.capMs) },
      drain: opts.drain,
      waitRetriesMs: opts.waitRetries,
      maxJobs: opts.maxJobs,
      onJob: view?.onJob,
    });
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        log.warn(`${signal} again: exiting now; the running jobs are recovered by other workers once their lease expires`);
        // Deregistered first (for at most a second), so `status` stops listing this worker as live at once.
        const exit = () => process.exit(signal === 'SIGINT' ? 130 : 143);
        void Promise.race([markWorkerStopped(connections.pool, worker.id).catch(() => {}), new Promise((r) => setTimeout(r, 1_000))]).then(exit, exit);
        return;
      }
      signalled = true;
      log.info(`${signal}: stopping (up to ${formatDuration(opts.grace)} for running jobs; ${signal} again exits at once)`);
      void worker.stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const summary = await worker.stopped;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    view?.stop();
    if (opts.drain) console.log(`${describeSummary(summary)}; ${describeLeft(await countByStatus(connections.pool))}`);
    else console.log(describeSummary(summary));
    return summary.failed > 0 && (opts.drain || opts.maxJobs) ? EXIT_JOB_FAILED : 0;
  } finally {
    view?.stop();
    await connections.close();
  }
}

/** `work --drain`/`--max-jobs` ran a job that failed for good: cron can tell this from a broken command (1). */
export const EXIT_JOB_FAILED = 2;

function describeSummary(s: WorkerSummary): string {
  const parts = [`${s.completed} completed`];
  if (s.retried) parts.push(`${s.retried} to be retried`);
  if (s.failed) parts.push(`${s.failed} failed (${s.failedIds.map(shortId).join(', ')})`);
  if (s.released) parts.push(`${s.released} handed back to the queue`);
  if (s.stopped) parts.push(`${s.stopped} stopped by an operator or lost`);
  const why = s.reason === 'drained' ? 'nothing left to run now' : s.reason === 'max-jobs' ? 'reached --max-jobs' : 'stopped';
  return `${why}: ran ${s.claimed} job${s.claimed === 1 ? '' : 's'} (${parts.join(', ')})`;
}

function describeLeft(counts: Record<string, number>): string {
  const left = (['queued', 'retrying', 'running', 'paused'] as const)
    .filter((k) => counts[k]! > 0)
    .map((k) => `${counts[k]} ${k === 'running' ? 'running on other workers' : k === 'retrying' ? 'waiting to retry' : k}`);
  return left.length === 0 ? 'the queue is empty' : `left: ${left.join(', ')}`;
}

interface DrainView {
  interactive: boolean;
  onJob(event: JobEvent): void;
  stop(): void;
}

/**
 * What a drain shows as it goes: one line per finished job, always; on a terminal also a spinner naming the
 * running jobs and the tally so far.
 */
async function drainView(): Promise<DrainView> {
  const spin = await spinner('looking for jobs');
  const running = new Map<string, { filename: string; since: number }>();
  const tally = { completed: 0, failed: 0, retrying: 0 };
  const describe = () => {
    const now = Date.now();
    const jobs = [...running.values()].map((r) => `${truncate(r.filename.split('/').at(-1), 32)} ${formatDuration(now - r.since)}`);
    const done = `${tally.completed} completed${tally.failed ? `, ${tally.failed} failed` : ''}${tally.retrying ? `, ${tally.retrying} to retry` : ''}`;
    return jobs.length ? `running ${jobs.join(', ')} · ${done}` : `looking for jobs · ${done}`;
  };
  const ticker = spin ? setInterval(() => (spin.text = describe()), 500) : undefined;
  return {
    interactive: Boolean(spin),
    onJob(e) {
      if (e.kind === 'started') running.set(e.jobId, { filename: e.filename, since: Date.now() });
      else if (e.kind === 'waiting') {
        if (spin) spin.text = `waiting ${formatDuration(e.ms)} for a retry to fall due · ${describe()}`;
        else console.log(`waiting    ${formatDuration(Math.round(e.ms))} for a retry to fall due`);
        return;
      } else {
        running.delete(e.jobId);
        if (e.outcome === 'completed') tally.completed++;
        else if (e.outcome === 'failed') tally.failed++;
        else if (e.outcome === 'retrying') tally.retrying++;
        const why = e.error ? `: ${truncate(e.error, 100)}` : '';
        console.log(`${e.outcome.padEnd(10)} ${shortId(e.jobId)}  ${e.filename} (${formatDuration(e.ms)})${why}`);
      }
      if (spin) spin.text = describe();
    },
    stop() {
      clearInterval(ticker);
      if (spin?.isSpinning) spin.stop();
    },
  };
}
