import { Command, Option } from 'commander';
import { action, printJson, withSql } from './runtime.js';
import { durationOption, intOption, listOption } from './options.js';
import { progress } from './progress.js';
import { formatDuration } from '../config/duration.js';
import { PRUNABLE_STATUSES } from '../queue/prune.js';

interface PruneCliOptions {
  olderThan: number;
  status?: string[];
  batchSize: number;
  dryRun?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('prune')
    .description('delete old finished jobs and their events, in batches (never a stored play)')
    .addOption(new Option('--older-than <duration>', 'jobs that finished longer ago than this, e.g. 30d').argParser(durationOption(0)).makeOptionMandatory())
    .option('-s, --status <status>', `which finished jobs (${PRUNABLE_STATUSES.join(', ')}; default all three); repeat or comma-separate`, listOption(PRUNABLE_STATUSES))
    .option('--batch-size <n>', 'jobs deleted per statement and commit', intOption(1, 100_000), 1000)
    .option('-n, --dry-run', 'count what would be deleted and delete nothing')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Jobs that are queued, running, retrying or paused are never pruned, nor are the plays that jobs stored.
A pruned job no longer shows in \`status\` and no longer keeps the same text from being queued again.

Examples:
  playbuddy prune --older-than 30d --dry-run
  playbuddy prune --older-than 30d
  playbuddy prune --older-than 7d --status failed,cancelled --json`,
    )
    .action(
      action(async (opts: PruneCliOptions) =>
        withSql(async ({ sql }) => {
          const { pruneHistory } = await import('../queue/prune.js');
          const statuses = opts.status?.length ? [...new Set(opts.status)] : [...PRUNABLE_STATUSES];
          const busy = await progress('pruning', { json: opts.json });
          const result = await pruneHistory(sql, {
            statuses,
            olderThanMs: opts.olderThan,
            batchSize: opts.batchSize,
            dryRun: opts.dryRun,
            onBatch: (d) => (busy.text = `pruning: ${d.jobs.toLocaleString('en')} jobs, ${d.events.toLocaleString('en')} events so far`),
          }).finally(() => busy.stop());
          const summary = { dryRun: Boolean(opts.dryRun), olderThan: formatDuration(opts.olderThan), statuses, ...result };
          if (opts.json) return printJson(summary);
          const what = `${result.jobs.toLocaleString('en')} ${statuses.join('/')} job${result.jobs === 1 ? '' : 's'} older than ${formatDuration(opts.olderThan)} with ${result.events.toLocaleString('en')} event${result.events === 1 ? '' : 's'}`;
          console.log(opts.dryRun ? `would delete ${what} (dry run: nothing deleted)` : `deleted ${what}${result.workers ? `, and ${result.workers} stopped worker record(s)` : ''}`);
        }),
      ),
    );
}
