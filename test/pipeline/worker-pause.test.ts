import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';
import { createParseJobHandler } from '../../src/jobs/parse-play/handler.js';
import { runPipeline } from '../../src/parse/pipeline/run.js';
import { transitionJob } from '../../src/queue/repository.js';
import { loadPlay } from '../../src/store/load-play.js';
import { openWorkerConnections } from '../../src/worker/connections.js';
import { startWorker } from '../../src/worker/worker.js';
import { paragraphParser, paragraphPlay } from './paragraph-parser.mjs';
import { waitFor } from '../helpers/wait.js';

// Real worker processes on a loaded machine: bounds of seconds, never milliseconds.
const WORKER_WAIT_MS = 30_000;

// Pause and resume through the real worker: the running job stops at once and keeps its checkpoint; once
// resumed it continues from there and stores the same play an uninterrupted run stores, once. The same
// holds for the real rules parser, whose stored play exports exactly as a direct parse prints.

const t = testDatabase('worker_pause');
const log = pino({ level: process.env.PLAYBUDDY_TEST_LOG ?? 'silent' });

async function enqueue(rawText: string, filename: string): Promise<string> {
  const { enqueueJobs } = await import('../../src/queue/repository.js');
  const [o] = await enqueueJobs(t.sql, [{ rawText, filename, config: { parser: 'rules', chunkSize: 12_000 } }], { force: true });
  if (o?.kind !== 'enqueued') throw new Error('not enqueued');
  return o.id;
}

describe('the parse job under a real worker', () => {
  it('paused while running, resumes from its checkpoint and stores one identical play', async () => {
    const text = paragraphPlay(30);
    const parser = paragraphParser(40);
    const expected = (await runPipeline({ text, filename: 'p.txt', config: { parser: 'rules', chunkSize: 100 }, parser: paragraphParser() })).play;
    const jobId = await enqueue(text, 'p.txt');

    const connections = openWorkerConnections(t.url, { concurrency: 1 });
    const handler = createParseJobHandler({ log, loadParser: async () => parser });
    const worker = await startWorker({ ...connections, listenUrl: t.url, handlers: { PARSE_PLAY: handler }, log, concurrency: 1, pollMs: 100, leaseMs: 5_000 });
    try {
      await waitFor('a few checkpoints', async () => (await t.db.parseJob.findUniqueOrThrow({ where: { id: jobId } })).completedChunks >= 5, WORKER_WAIT_MS);
      await transitionJob(t.sql, jobId, 'paused');
      const paused = await waitFor('the job to stop', async () => {
        const job = await t.db.parseJob.findUniqueOrThrow({ where: { id: jobId } });
        return job.status === 'paused' && job.workerId === null && job;
      }, WORKER_WAIT_MS);
      await new Promise((r) => setTimeout(r, 300));
      const still = await t.db.parseJob.findUniqueOrThrow({ where: { id: jobId } });
      expect(still.completedChunks).toBe(paused.completedChunks);
      expect(still.completedChunks).toBeLessThan(30);

      await transitionJob(t.sql, jobId, 'queued');
      const done = await waitFor('completion', async () => {
        const job = await t.db.parseJob.findUniqueOrThrow({ where: { id: jobId } });
        return job.status === 'completed' && job;
      }, WORKER_WAIT_MS);
      expect((done.checkpoints as Array<{ chunk: number }>).map((e) => e.chunk)).toEqual([...Array(30).keys()]);
      expect(await t.db.playbook.count({ where: { id: done.playbookId! } })).toBe(1);
      expect(await loadPlay(t.sql, done.playbookId!)).toEqual(expected);
    } finally {
      await worker.stop({ graceMs: 0 });
      await connections.close();
    }
  });

  it('with the rules parser, stores a play that exports exactly as a direct parse prints it', async () => {
    const text = [
      'THE LOST KEY',
      'A Comedy in One Act',
      'by Ann Example',
      '',
      'CHARACTERS',
      '',
      'MARTHA, a housekeeper',
      'JOHN, her nephew',
      '',
      'ACT I',
      '',
      'SCENE 1. A kitchen.',
      '',
      '[MARTHA is searching the drawers.]',
      '',
      'MARTHA. Where can it be? I had it in my hand',
      'Not one hour since, and now it is gone.',
      '',
      'JOHN. Had what, aunt?',
      '',
      'MARTHA. The key to the cellar, of course.',
      '',
      'JOHN. Then it is in the cellar door, where you left it.',
      '',
      'MARTHA. Impossible. [She goes to look.] Oh.',
      '',
      'JOHN. Just so.',
      '',
      'SCENE 2. The cellar.',
      '',
      'MARTHA. Now, the wine.',
      '',
      'JOHN. And the cheese.',
      '',
      'MARTHA and JOHN. Good night!',
      '',
      'THE END',
      '',
    ].join('\n');
    const { loadParser } = await import('../../src/parse/pipeline/registry.js');
    const direct = await runPipeline({ text, filename: 'lost-key.txt', config: { parser: 'rules', chunkSize: 12_000 }, parser: await loadParser('rules') });
    const jobId = await enqueue(text, 'lost-key.txt');
    const connections = openWorkerConnections(t.url, { concurrency: 1 });
    const worker = await startWorker({ ...connections, listenUrl: t.url, handlers: { PARSE_PLAY: createParseJobHandler({ log }) }, log, drain: true, pollMs: 100 });
    try {
      expect(await worker.stopped).toMatchObject({ completed: 1, failed: 0 });
    } finally {
      await connections.close();
    }
    const job = await t.db.parseJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(job).toMatchObject({ status: 'completed', progress: 100, totalChunks: 1, completedChunks: 1 });
    const stored = await loadPlay(t.sql, job.playbookId!);
    expect(JSON.stringify(stored, null, 2)).toBe(JSON.stringify(direct.play, null, 2));
    expect(stored!.characters).toHaveLength(2);
    expect(stored!.acts[0]!.scenes).toHaveLength(2);
  });
});
