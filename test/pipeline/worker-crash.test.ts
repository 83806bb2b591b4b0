import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';
import { runPipeline } from '../../src/parse/pipeline/run.js';
import { loadPlay } from '../../src/store/load-play.js';
import { createJob } from './job-context.js';
import { paragraphParser, paragraphPlay } from './paragraph-parser.mjs';
import { waitFor } from '../helpers/wait.js';

// Real worker processes on a loaded machine: bounds of seconds, never milliseconds.
const PROCESS_WAIT_MS = 45_000;

// A real worker process killed with SIGKILL in the middle of a job (compiled code: `npm test` builds first):
// another worker recovers the job once the lease expires, resumes from the last checkpoint, and stores the
// play exactly once, identical to an uninterrupted parse.

const WORKER = fileURLToPath(new URL('./crash-worker.mjs', import.meta.url));
const CHUNKS = 40;
const LEASE_MS = 2000;

const t = testDatabase('worker_crash');
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER, String(LEASE_MS)], { env: { ...process.env, DATABASE_URL: t.url }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the worker process exited early (${code})`)));
    child.stdout!.once('data', () => resolve(child));
  });
}

describe('a worker killed mid-job', () => {
  it('is recovered by another worker from its checkpoint, with exactly one play stored', { timeout: 90_000 }, async () => {
    const text = paragraphPlay(CHUNKS);
    const expected = (await runPipeline({ text, filename: 'paragraphs.txt', config: { parser: 'rules', chunkSize: 100 }, parser: paragraphParser() })).play;
    const jobId = await createJob(t, text, { parser: 'rules', chunkSize: 100 }, { filename: 'paragraphs.txt' });
    await t.db.parseJob.update({ where: { id: jobId }, data: { status: 'queued' } });

    const first = await startWorkerProcess();
    const saved = await waitFor('a few checkpoints', async () => {
      const job = await t.db.parseJob.findUniqueOrThrow({ where: { id: jobId } });
      return job.completedChunks >= 8 && job.completedChunks;
    }, PROCESS_WAIT_MS);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = await t.db.parseJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(atKill.status).toBe('running');
    expect(atKill.completedChunks).toBeGreaterThanOrEqual(saved);
    expect(atKill.completedChunks).toBeLessThan(CHUNKS);

    const second = await startWorkerProcess();
    const done = await waitFor('the job to complete', async () => {
      const job = await t.db.parseJob.findUniqueOrThrow({ where: { id: jobId } });
      return job.status === 'completed' && job;
    }, PROCESS_WAIT_MS);
    second.kill('SIGTERM');

    expect(await t.db.playbook.count()).toBe(1);
    expect(await loadPlay(t.sql, done.playbookId!)).toEqual(expected);
    // Every chunk was checkpointed exactly once: the second worker began where the first one stopped.
    const entries = done.checkpoints as Array<{ chunk: number }>;
    expect(entries.map((e) => e.chunk)).toEqual([...Array(CHUNKS).keys()]);
    const events = await t.db.jobEvent.findMany({ where: { jobId }, orderBy: { createdAt: 'asc' } });
    const resumed = events.find((e) => e.event === 'resumed-from-checkpoint');
    expect((resumed?.details as { completedChunks: number }).completedChunks).toBe(atKill.completedChunks);
  });
});
