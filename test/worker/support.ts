import { pino } from 'pino';
import { enqueueJobs } from '../../src/queue/repository.js';
import { openWorkerConnections, type WorkerConnections } from '../../src/worker/connections.js';
import type { JobHandler } from '../../src/worker/handler.js';
import { startWorker, type RunningWorker, type WorkerOptions } from '../../src/worker/worker.js';
import type { TestDatabase } from '../helpers/db.js';

// Shared by the worker tests: start in-process workers on their own pools, enqueue distinct jobs, and wait
// for a condition with a generous deadline (a loaded two-core machine must not make a test flaky).

export const quietLog = pino({ level: process.env.PLAYBUDDY_TEST_LOG ?? 'silent' });

export interface TestWorker {
  worker: RunningWorker;
  connections: WorkerConnections;
  /** Stops the worker (graceful unless told otherwise) and closes its connections. */
  close(graceMs?: number): Promise<Awaited<RunningWorker['stopped']>>;
}

export async function startTestWorker(
  t: TestDatabase,
  handler: JobHandler,
  options: Partial<Omit<WorkerOptions, 'pool' | 'db' | 'connectionString' | 'log'>> = {},
): Promise<TestWorker> {
  const concurrency = options.concurrency ?? 1;
  const connections = openWorkerConnections(t.url, { concurrency });
  const worker = await startWorker({
    pool: connections.pool,
    listenUrl: t.url,
    // Test jobs are enqueued as PARSE_PLAY, the default type.
    handlers: { PARSE_PLAY: handler },
    log: quietLog,
    pollMs: 200,
    leaseMs: 3_000,
    backoff: { baseMs: 100, capMs: 1_000 },
    ...options,
  });
  let closing: Promise<Awaited<RunningWorker['stopped']>> | undefined;
  return {
    worker,
    connections,
    close(graceMs = 0) {
      closing ??= worker.stop({ graceMs }).then(async (s) => {
        await connections.close();
        return s;
      });
      return closing;
    },
  };
}

let counter = 0;

export async function enqueue(t: TestDatabase, n: number, extra: { priority?: number; maxRetries?: number; label?: string } = {}): Promise<string[]> {
  const jobs = Array.from({ length: n }, () => {
    const i = counter++;
    return {
      rawText: `${extra.label ?? 'job'} ${i} ${process.hrtime.bigint()}`,
      filename: `${extra.label ?? 'job'}-${i}.txt`,
      config: { parser: 'rules' as const, chunkSize: 8000 },
      priority: extra.priority,
      maxRetries: extra.maxRetries,
    };
  });
  const out = await enqueueJobs(t.sql, jobs, { force: true });
  return out.map((o) => {
    if (o.kind !== 'enqueued') throw new Error('expected every test job to be enqueued');
    return o.id;
  });
}

export { waitFor } from '../helpers/wait.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function statusOf(t: TestDatabase, id: string) {
  return t.db.parseJob.findUniqueOrThrow({ where: { id } });
}

export async function eventsOf(t: TestDatabase, id: string): Promise<string[]> {
  const rows = await t.db.jobEvent.findMany({ where: { jobId: id }, orderBy: { createdAt: 'asc' }, select: { event: true } });
  return rows.map((r) => r.event);
}

/** Resolves when `signal` aborts (a handler that waits to be stopped). */
export function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
