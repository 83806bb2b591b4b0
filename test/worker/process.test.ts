import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';
import { enqueue, eventsOf, statusOf, waitFor } from './support.js';

// Real processes against real PostgreSQL: SIGKILL mid-job, SIGTERM, several workers at once, and the
// operator commands of the compiled CLI acting on a job another process is running.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = join(root, 'test', 'worker', 'worker-process.mjs');
const cli = join(root, 'bin', 'playbuddy.js');

const t = testDatabase('process');
const children = new Set<ChildProcess>();

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'worker', 'worker.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does).');
  await t.db.$executeRawUnsafe(`CREATE TABLE chunk_runs (job_id text, chunk int, pid int, attempt int, at timestamptz DEFAULT clock_timestamp())`);
  await t.db.$executeRawUnsafe(`CREATE TABLE completions (job_id text, pid int)`);
  await t.db.$executeRawUnsafe(`CREATE TABLE stops (job_id text, pid int, reason text)`);
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
});

interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  output: () => string;
  exited: Promise<number | null>;
}

async function spawnWorker(env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, DATABASE_URL: t.url, PB_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => (children.delete(child), resolve(code))));
  await waitFor('the worker process to start', async () => out.includes('ready ') || (child.exitCode !== null && Promise.reject(new Error(out))));
  return { child, pid: child.pid!, output: () => out, exited };
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, DATABASE_URL: t.url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function rows<T>(sql: string, ...values: unknown[]): Promise<T[]> {
  return t.db.$queryRawUnsafe<T[]>(sql, ...values);
}

const completionsOf = async (ids: string[]) =>
  rows<{ job_id: string; n: number }>(`SELECT job_id, count(*)::int AS n FROM completions WHERE job_id = ANY($1) GROUP BY job_id`, ids);

describe('worker processes', () => {
  it('recovers the job of a worker killed with SIGKILL after its lease, from its checkpoint', async () => {
    const [id] = await enqueue(t, 1, { label: 'killed' });
    const a = await spawnWorker({ PB_CHUNKS: '12', PB_CHUNK_MS: '250', PB_LEASE_MS: '2000' });
    await waitFor('three checkpoints', async () => (await statusOf(t, id!)).completedChunks >= 3);
    a.child.kill('SIGKILL');
    await a.exited;
    // A checkpoint the dead process had already sent is still committed by the server; let it land.
    await new Promise((r) => setTimeout(r, 500));
    const atKill = (await statusOf(t, id!)).completedChunks;
    expect((await statusOf(t, id!)).status).toBe('running');

    const b = await spawnWorker({ PB_CHUNKS: '12', PB_CHUNK_MS: '50', PB_LEASE_MS: '2000' });
    await waitFor('completion by the second worker', async () => (await statusOf(t, id!)).status === 'completed', 40_000);
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);

    const byB = await rows<{ chunk: number; attempt: number }>(`SELECT chunk, attempt FROM chunk_runs WHERE job_id = $1 AND pid = $2 ORDER BY chunk`, id, b.pid);
    expect(byB[0]).toEqual({ chunk: atKill, attempt: 2 });
    expect(byB.map((r) => r.chunk)).toEqual(Array.from({ length: 12 - atKill }, (_, i) => atKill + i));
    expect(await completionsOf([id!])).toEqual([{ job_id: id, n: 1 }]);
    expect(await eventsOf(t, id!)).toEqual(['enqueued', 'running', 'lease-expired', 'running', 'completed']);
    expect(await statusOf(t, id!)).toMatchObject({ retryCount: 1, completedChunks: 12, playbookId: `pb-${id}` });
  });

  it('runs every job exactly once with three worker processes, one of them killed halfway', async () => {
    const ids = await enqueue(t, 150, { label: 'fleet' });
    const env = { PB_CONCURRENCY: '2', PB_CHUNKS: '3', PB_CHUNK_MS: '15', PB_LEASE_MS: '2000', PB_RETRY_MS: '100' };
    const fleet = await Promise.all([spawnWorker(env), spawnWorker(env), spawnWorker(env)]);
    await waitFor('a third of the jobs', async () => (await rows<{ n: number }>(`SELECT count(*)::int AS n FROM completions WHERE job_id = ANY($1)`, ids))[0]!.n >= 50);
    fleet[0]!.child.kill('SIGKILL');
    await fleet[0]!.exited;
    await waitFor('every job completed', async () => (await t.db.parseJob.count({ where: { id: { in: ids }, status: 'completed' } })) === ids.length, 60_000);
    for (const w of fleet.slice(1)) w.child.kill('SIGTERM');
    expect(await Promise.all(fleet.slice(1).map((w) => w.exited))).toEqual([0, 0]);
    const done = await completionsOf(ids);
    expect(done.length).toBe(ids.length);
    expect(done.filter((r) => r.n !== 1)).toEqual([]);
  });

  it('on SIGTERM, hands running jobs back at a checkpoint without using an attempt, and exits', async () => {
    const ids = await enqueue(t, 2, { label: 'sigterm' });
    const w = await spawnWorker({ PB_CONCURRENCY: '2', PB_CHUNKS: '40', PB_CHUNK_MS: '150', PB_GRACE_MS: '60000' });
    await waitFor('two checkpoints each', async () => (await t.db.parseJob.count({ where: { id: { in: ids }, completedChunks: { gte: 2 } } })) === 2);
    const signalledAt = Date.now();
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    // The jobs stopped at their next checkpoint, long before the grace period would have run out.
    expect(Date.now() - signalledAt).toBeLessThan(30_000);
    expect(w.output()).toContain('"released":2');
    for (const id of ids) {
      const job = await statusOf(t, id);
      expect(job).toMatchObject({ status: 'queued', retryCount: 0, workerId: null });
      expect(job.completedChunks).toBeGreaterThanOrEqual(2);
    }
    const row = await t.db.worker.findFirstOrThrow({ where: { pid: w.pid } });
    expect(row.stoppedAt).not.toBeNull();

    // Nothing lost: a draining worker finishes both from where they stopped, and exits by itself.
    const next = await spawnWorker({ PB_CONCURRENCY: '2', PB_CHUNKS: '40', PB_CHUNK_MS: '5', PB_DRAIN: '1' });
    expect(await next.exited).toBe(0);
    expect(await completionsOf(ids)).toHaveLength(2);
    for (const id of ids) {
      const reruns = await rows<{ n: number }>(`SELECT count(*)::int AS n FROM chunk_runs WHERE job_id = $1 AND pid = $2 AND chunk < 2`, id, next.pid);
      expect(reruns[0]!.n).toBe(0);
    }
  });

  it('stops a running job within seconds when an operator pauses or cancels it, and resumes it from its checkpoint', async () => {
    const [pausing, cancelling] = await enqueue(t, 2, { label: 'operator' });
    const w = await spawnWorker({ PB_CONCURRENCY: '2', PB_CHUNKS: '200', PB_CHUNK_MS: '150' });
    await waitFor('both running with a checkpoint', async () => (await t.db.parseJob.count({ where: { id: { in: [pausing!, cancelling!] }, completedChunks: { gte: 1 } } })) === 2);

    const paused = await runCli(['pause', pausing!.slice(0, 8)]);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/^paused\s+\w{8}\s+operator-\d+\.txt \(was running; its worker stops it now\)/);
    const cancelled = await runCli(['cancel', cancelling!]);
    expect(cancelled.code).toBe(0);
    // "Within seconds": the handlers see their signals abort (well inside this deadline) and stop.
    await waitFor('both handlers to stop', async () => (await rows(`SELECT 1 FROM stops WHERE job_id = ANY($1)`, [pausing, cancelling])).length === 2, 10_000);
    const stopped = await statusOf(t, pausing!);
    expect(stopped).toMatchObject({ status: 'paused', workerId: null });
    expect(stopped.completedChunks).toBeGreaterThanOrEqual(1);
    expect((await statusOf(t, cancelling!)).status).toBe('cancelled');

    const resumed = await runCli(['resume', pausing!]);
    expect(resumed.code).toBe(0);
    // The chunk after the checkpoint may have started before the pause; the one after it cannot have.
    await waitFor('the resumed job to run again', async () => (await rows(`SELECT 1 FROM chunk_runs WHERE job_id = $1 AND chunk > $2`, pausing, stopped.completedChunks)).length > 0);
    const again = await rows<{ chunk: number }>(`SELECT chunk FROM chunk_runs WHERE job_id = $1 ORDER BY at`, pausing);
    // After the resume it went on from the checkpoint, not from chunk 0.
    expect(again.filter((r) => r.chunk === 0)).toHaveLength(1);

    const refused = await runCli(['cancel', cancelling!, pausing!]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Job ${cancelling!.slice(0, 8)} is cancelled; it cannot be cancelled.`);
    expect(refused.stdout).toMatch(/^cancelled\s+\w{8}\s+operator-\d+\.txt \(was running; its worker stops it now\)$/m);
    await waitFor('the second stop', async () => (await rows(`SELECT 1 FROM stops WHERE job_id = $1`, pausing)).length === 2, 10_000);
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
  });

  it('refuses a bad setting in the environment with one sentence naming it', async () => {
    const out = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, 'work'], { env: { ...process.env, DATABASE_URL: t.url, PLAYBUDDY_POLL_INTERVAL: 'soon' } });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`from env 'PLAYBUDDY_POLL_INTERVAL' is invalid. expected a duration such as 500ms, 30s, 10m or 30d, got "soon".`);
  });

  it('`work --drain` exits at once on an empty queue and says what is left', async () => {
    const out = await runCli(['work', '--drain', '--log-level', 'warn']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('nothing left to run now: ran 0 jobs');
  });
});
