import { Option, type Command } from 'commander';
import { UserError } from '../errors.js';
import { action, printJson, withSql } from './runtime.js';
import { durationOption, intOption, listOption } from './options.js';
import { age, chunksOf, percent, shortId, stageOf, table, truncate } from './format.js';
import { JOB_STATUSES, type JobStatus } from '../queue/states.js';
import type { PlayJobConfig } from '../jobs/parse-play/config.js';
import type { JobDetail, JobSummary } from '../queue/jobs.js';
import type { LiveWorker } from '../queue/reads.js';

interface StatusOptions {
  status?: JobStatus[];
  limit: number;
  json?: boolean;
  watch?: boolean;
  interval: number;
}

export function register(program: Command): void {
  program
    .command('status')
    .description('show recent jobs and counts per status, or one job in detail with its history')
    .argument('[jobId]', 'a job id or a unique prefix of one')
    .option('-s, --status <status>', `only jobs in these states (${JOB_STATUSES.join(', ')}); repeat or comma-separate`, listOption(JOB_STATUSES))
    .option('-n, --limit <n>', 'how many jobs to list', intOption(1, 10_000), 20)
    .option('--json', 'print JSON')
    .option('-w, --watch', 'a live view, redrawn in place until Ctrl-C (one frame per interval when not on a terminal)')
    .addOption(new Option('--interval <duration>', 'how often --watch refreshes').argParser(durationOption(100)).default(2_000, '2s'))
    .addHelpText(
      'after',
      '\nExamples:\n  playbuddy status\n  playbuddy status --status failed,retrying --limit 50\n  playbuddy status 3f2a1b9c\n  playbuddy status --watch',
    )
    .action(
      action(async (jobId: string | undefined, opts: StatusOptions) =>
        withSql(async ({ sql: db }) => {
          const repo = await import('../queue/reads.js');
          if (opts.watch) {
            if (jobId || opts.json) throw new UserError('--watch shows the whole queue, not one job and not as JSON.', 'Leave out the job id and --json.');
            const { watch } = await import('./status-watch.js');
            return watch(db, opts.interval);
          }
          if (jobId) {
            const job = await repo.getJob(db, jobId);
            const events = await repo.jobEvents(db, job.id);
            if (opts.json) return printJson({ ...job, events });
            console.log(await formatDetail(job, events));
            return;
          }
          const [jobs, counts, workers] = await Promise.all([
            repo.listJobs(db, { statuses: opts.status, limit: opts.limit }),
            repo.countByStatus(db),
            repo.liveWorkers(db),
          ]);
          if (opts.json) return printJson({ counts, jobs, workers });
          console.log(await formatList(jobs, counts, workers, opts.status));
        }),
      ),
    );
}

/**
 * Attempts made so far. retryCount counts the failed attempts that were followed by a retry, so a job that
 * waits to retry has made exactly that many; one that runs or has ended is in (or ended with) one more.
 */
export function attemptsMade(j: Pick<JobSummary, 'status' | 'retryCount' | 'startedAt'>): number {
  switch (j.status) {
    case 'running':
    case 'completed':
    case 'failed':
      return j.retryCount + 1;
    case 'queued':
    case 'retrying':
      return j.retryCount;
    default:
      // paused or cancelled: from a running attempt, or while waiting for one.
      return Math.max(j.retryCount, j.startedAt ? 1 : 0);
  }
}

function attempts(j: JobSummary): string {
  return `${attemptsMade(j)}/${j.maxRetries + 1}`;
}

function progressOf(j: JobSummary): string {
  const chunks = chunksOf(j);
  return stageOf(j) + percent(j.progress) + (chunks ? ` (${chunks})` : '');
}

function stateOf(j: JobSummary, now: Date): string {
  if (j.status === 'retrying' && j.runAfter > now) return `retrying in ${age(now, j.runAfter)}`;
  // Its worker stopped renewing (killed, frozen, cut off): any live worker hands it back at its next poll.
  if (j.status === 'running' && j.lockExpiry && j.lockExpiry <= now) {
    return `lease expired ${age(j.lockExpiry, now)} ago (${j.lockExpiry.toISOString().slice(11, 19)} UTC), waiting for recovery`;
  }
  return j.status;
}

async function formatList(
  jobs: JobSummary[],
  counts: Record<JobStatus, number>,
  workers: LiveWorker[],
  statuses?: JobStatus[],
): Promise<string> {
  const now = new Date();
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const summary = JOB_STATUSES.filter((s) => counts[s] > 0).map((s) => `${s} ${counts[s]}`).join(' · ');
  const lines = [`${total} job${total === 1 ? '' : 's'}${summary ? ': ' + summary : ''}`];
  if (jobs.length === 0 && statuses?.length) lines.push(`no ${orList([...new Set(statuses)])} jobs`);
  if (jobs.length > 0) {
    lines.push(
      await table(
        ['id', 'file', 'status', 'progress', 'attempts', 'age', 'last error'],
        jobs.map((j) => [shortId(j.id), truncate(j.filename, 32), stateOf(j, now), progressOf(j), attempts(j), age(j.createdAt, now), truncate(j.failureReason ?? j.lastError, 48)]),
      ),
    );
  }
  lines.push(
    workers.length === 0
      ? 'no live workers (start one with `playbuddy work`)'
      : `${workers.length} live worker${workers.length === 1 ? '' : 's'}: ` +
          workers.map((w) => `${w.host}:${w.pid} (${w.running} running, seen ${age(w.lastHeartbeat, now)} ago)`).join(', '),
  );
  return lines.join('\n');
}

async function formatDetail(job: JobDetail, events: Array<{ event: string; details: unknown; createdAt: Date }>): Promise<string> {
  const now = new Date();
  const rows: Array<[string, string]> = [
    ['id', job.id],
    ['file', job.filename],
    ['status', stateOf(job, now)],
    ['priority', String(job.priority)],
    ['progress', progressOf(job)],
    ['attempts', attempts(job)],
    // PARSE_PLAY is the only job type, so every config is a play job's.
    ['parser', job.config ? describeConfig(job.config as PlayJobConfig) : '-'],
    ['text', `${job.textLength.toLocaleString('en')} characters`],
    ['created', `${job.createdAt.toISOString()} (${age(job.createdAt, now)} ago)`],
  ];
  if (job.startedAt) rows.push(['started', job.startedAt.toISOString()]);
  if (job.completedAt) rows.push(['finished', job.completedAt.toISOString()]);
  if (job.workerId) rows.push(['worker', `${job.workerId} (lease until ${job.lockExpiry?.toISOString() ?? '?'})`]);
  if (job.playbookId) rows.push(['playbook', job.playbookId]);
  if (job.inputTokens || job.outputTokens) {
    rows.push(['tokens', `${job.inputTokens.toLocaleString('en')} in, ${job.outputTokens.toLocaleString('en')} out (~$${job.costUsd.toFixed(4)})`]);
  }
  if (job.failureReason) rows.push(['failure', job.failureReason]);
  if (job.lastError && job.lastError !== job.failureReason) rows.push(['last error', job.lastError]);
  if (job.legacySessionId) rows.push(['migrated from', `parsing session ${job.legacySessionId}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const head = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
  const history = await table(
    ['when', 'event', 'details'],
    events.map((e) => [e.createdAt.toISOString().replace('T', ' ').slice(0, 23), e.event, truncate(describeDetails(e.details), 70)]),
  );
  return `${head}\n\nhistory:\n${history}`;
}

function orList(words: string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

function describeConfig(c: PlayJobConfig): string {
  const parts: string[] = [c.parser];
  if (c.provider) parts.push(`${c.provider}${c.model ? `/${c.model}` : ''}`);
  parts.push(`chunks of ${c.chunkSize} chars`);
  if (c.source) parts.push(`from ${c.source.format}${c.source.encoding ? ` (${c.source.encoding})` : ''}`);
  return parts.join(', ');
}

function describeDetails(details: unknown): string {
  if (!details || typeof details !== 'object') return '';
  return Object.entries(details as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}
