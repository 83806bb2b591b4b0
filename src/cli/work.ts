import { Command, Option } from 'commander';
import { action, commandLogger } from './runtime.js';
import { durationOption, intOption } from './options.js';
import { formatDuration } from '../config/duration.js';
import type { WorkerSummary } from '../worker/worker.js';

interface WorkOptions {
  concurrency: number;
  lease: number;
  pollInterval: number;
  grace: number;
  retryDelay: number;
  drain?: boolean;
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
    .addOption(new Option('--max-jobs <n>', 'exit after running this many jobs').env('PLAYBUDDY_MAX_JOBS').argParser(intOption(1)))
    .addHelpText(
      'after',
      `
Examples:
  playbuddy work --concurrency 2
  playbuddy work --drain                      # from cron: process what is queued, then exit
  PLAYBUDDY_LEASE=30s playbuddy work --max-jobs 100`,
    )
    .action(action(run));
}

async function run(opts: WorkOptions, cmd: Command): Promise<number> {
  const log = await commandLogger(cmd, 'worker');
  const [{ resolveDatabaseTarget }, { prepareDatabase }, { openWorkerConnections, pooledConnectionBudget }, { startWorker }, { createParseJobHandler }, { countByStatus }] =
    await Promise.all([
      import('../config/database.js'),
      import('../db/open.js'),
      import('../worker/connections.js'),
      import('../worker/worker.js'),
      import('../parse/pipeline/job-handler.js'),
      import('../queue/repository.js'),
    ]);
  const target = resolveDatabaseTarget();
  const url = target.url;
  await prepareDatabase(url);
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
      handler: createParseJobHandler({ log }),
      log,
      concurrency: opts.concurrency,
      leaseMs: opts.lease,
      pollMs: opts.pollInterval,
      graceMs: opts.grace,
      backoff: { baseMs: opts.retryDelay, capMs: Math.max(opts.retryDelay, DEFAULT_BACKOFF.capMs) },
      drain: opts.drain,
      maxJobs: opts.maxJobs,
    });
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        log.warn(`${signal} again: exiting now; the running jobs are recovered by other workers once their lease expires`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
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
    console.log(describeSummary(summary));
    if (opts.drain) console.log(describeLeft(await countByStatus(connections.pool)));
    return 0;
  } finally {
    await connections.close();
  }
}

function describeSummary(s: WorkerSummary): string {
  const parts = [`${s.completed} completed`];
  if (s.retried) parts.push(`${s.retried} to be retried`);
  if (s.failed) parts.push(`${s.failed} failed`);
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
