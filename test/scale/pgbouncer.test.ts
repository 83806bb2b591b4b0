import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { createEmptyDatabase, testDatabase } from '../helpers/db.js';
import { startPgBouncer, type PgBouncer } from '../helpers/pgbouncer.js';
import { waitFor } from '../helpers/wait.js';
import { insertSession, smallPlay } from '../migrate-sessions/sessions.js';

// Scale-out as production runs it: every process reaches the database through a real PgBouncer in
// transaction pooling mode (stock settings, two server connections per database, so clients really share
// them), with PLAYBUDDY_DIRECT_DATABASE_URL for what needs a session of its own (LISTEN).

const t = testDatabase('pgbouncer');
let bouncer: PgBouncer;
let dir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  bouncer = await startPgBouncer({ poolSize: 2 });
  dir = mkdtempSync(join(tmpdir(), 'pb-pgbouncer-plays-'));
  await t.db.$executeRawUnsafe(`CREATE TABLE chunk_runs (job_id text, chunk int, pid int, attempt int, at timestamptz DEFAULT clock_timestamp())`);
  await t.db.$executeRawUnsafe(`CREATE TABLE completions (job_id text, pid int)`);
  await t.db.$executeRawUnsafe(`CREATE TABLE stops (job_id text, pid int, reason text)`);
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await bouncer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const pooledEnv = (direct = true): NodeJS.ProcessEnv => ({
  DATABASE_URL: bouncer.url(t.name),
  PLAYBUDDY_DIRECT_DATABASE_URL: direct ? t.url : '',
});

function pooledCli(args: string[], direct = true) {
  return runCli(args, { env: pooledEnv(direct), timeoutMs: 120_000 });
}

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function spawnProcess(args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => (children.delete(child), resolve(code))));
  return { child, output: () => out, exited };
}

/** The test worker of test/worker/ (slow chunked jobs with checkpoints), connected through the pooler. */
async function spawnChunkWorker(env: Record<string, string>): Promise<Proc> {
  const p = spawnProcess([join(ROOT, 'test', 'worker', 'worker-process.mjs')], {
    DATABASE_URL: bouncer.url(t.name),
    PB_POOLED: '1',
    PB_LISTEN_URL: t.url,
    PB_LOG_LEVEL: 'warn',
    ...env,
  });
  await waitFor('the worker process to start', async () => p.output().includes('ready ') || (p.child.exitCode !== null && Promise.reject(new Error(p.output()))), 60_000);
  return p;
}

async function rows<T>(sql: string, ...values: unknown[]): Promise<T[]> {
  return t.db.$queryRawUnsafe<T[]>(sql, ...values);
}

async function jobOf(id: string) {
  const [job] = await rows<{ status: string; completedChunks: number }>(
    `SELECT status::text, "completedChunks" FROM "ParseJob" WHERE id = $1`,
    id,
  );
  return job!;
}

async function enqueueThroughPooler(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  writeFileSync(file, text);
  const r = await pooledCli(['enqueue', file, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout).enqueued[0].id as string;
}

describe('through PgBouncer in transaction pooling mode', () => {
  it('enqueues, and four worker processes run every job exactly once', async () => {
    const names = ['Anna', 'Boris', 'Clara', 'Dmitri', 'Elena', 'Fyodor'];
    const files = Array.from({ length: 24 }, (_, i) => {
      const file = join(dir, `play-${i}.txt`);
      writeFileSync(file, smallPlay(`The Morning Number ${i}`, names[i % 6]!.toUpperCase(), names[(i + 1) % 6]!.toUpperCase()));
      return file;
    });
    const enq = await pooledCli(['enqueue', ...files, '--json']);
    expect(enq.stderr).toBe('');
    expect(enq.code).toBe(0);
    const ids = (JSON.parse(enq.stdout).enqueued as { id: string }[]).map((j) => j.id);
    expect(ids).toHaveLength(24);

    const workers = Array.from({ length: 4 }, () =>
      spawnProcess([join(ROOT, 'bin', 'playbuddy.js'), 'work', '--concurrency', '2', '--drain', '--poll-interval', '200ms', '--log-format', 'json'], pooledEnv()),
    );
    const codes = await Promise.all(workers.map((w) => w.exited));
    expect(codes, workers.map((w) => w.output()).join('\n')).toEqual([0, 0, 0, 0]);
    // Each process says what it will hold, so an operator can size the pooler.
    expect(workers[0]!.output()).toMatch(/at most 4 through DATABASE_URL \(--concurrency \+ 2\) and 1 for notifications/);

    const done = await rows<{ status: string; n: number; plays: number }>(
      `SELECT status::text, count(*)::int AS n, count(DISTINCT "playbookId")::int AS plays FROM "ParseJob" WHERE id = ANY($1) GROUP BY status`,
      ids,
    );
    expect(done).toEqual([{ status: 'completed', n: 24, plays: 24 }]);
    const claims = await rows<{ n: number }>(`SELECT count(*)::int AS n FROM "JobEvent" WHERE "jobId" = ANY($1) AND event = 'running'`, ids);
    expect(claims[0]!.n).toBe(24);
    const [{ n: playbooks }] = await rows<{ n: number }>(`SELECT count(*)::int AS n FROM "Playbook"`);
    expect(playbooks).toBe(24);
  }, 240_000);

  it('pauses, resumes and cancels a running job from another process', async () => {
    const worker = await spawnChunkWorker({ PB_CHUNKS: '200', PB_CHUNK_MS: '200', PB_LEASE_MS: '6000' });
    const id = await enqueueThroughPooler('pause-me.txt', smallPlay('Pause Me', 'ANNA', 'BORIS'));
    await waitFor('two checkpoints', async () => (await jobOf(id)).completedChunks >= 2, 30_000);

    const pause = await pooledCli(['pause', id]);
    expect(pause.code).toBe(0);
    await waitFor('the pause to reach the running job', async () => (await rows(`SELECT 1 FROM stops WHERE job_id = $1`, id)).length > 0, 10_000);
    const paused = await jobOf(id);
    expect(paused.status).toBe('paused');

    expect((await pooledCli(['resume', id])).code).toBe(0);
    await waitFor('the job to run again from its checkpoint', async () => (await jobOf(id)).completedChunks > paused.completedChunks, 30_000);
    const firstRunAfterResume = await rows<{ chunk: number }>(
      `SELECT min(chunk)::int AS chunk FROM chunk_runs WHERE job_id = $1 AND at > (SELECT max("createdAt") FROM "JobEvent" WHERE "jobId" = $1 AND event = 'paused')`,
      id,
    );
    expect(firstRunAfterResume[0]!.chunk).toBe(paused.completedChunks);

    expect((await pooledCli(['cancel', id])).code).toBe(0);
    await waitFor('the cancel to stop the job', async () => (await rows(`SELECT 1 FROM stops WHERE job_id = $1`, id)).length > 1, 10_000);
    expect((await jobOf(id)).status).toBe('cancelled');
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  }, 120_000);

  it('recovers the job of a worker killed with SIGKILL once its lease expires, from its checkpoint', async () => {
    const a = await spawnChunkWorker({ PB_CHUNKS: '12', PB_CHUNK_MS: '250', PB_LEASE_MS: '2000' });
    const id = await enqueueThroughPooler('kill-me.txt', smallPlay('Kill Me', 'CLARA', 'DMITRI'));
    await waitFor('three checkpoints', async () => (await jobOf(id)).completedChunks >= 3, 30_000);
    a.child.kill('SIGKILL');
    await a.exited;
    await new Promise((r) => setTimeout(r, 500));
    const atKill = (await jobOf(id)).completedChunks;

    // The expired lease costs an attempt: the job waits out its retry delay, then the new worker resumes it.
    const b = await spawnChunkWorker({ PB_CHUNKS: '12', PB_CHUNK_MS: '50', PB_LEASE_MS: '2000' });
    await waitFor('the job to complete on the other worker', async () => (await jobOf(id)).status === 'completed', 60_000);
    b.child.kill('SIGTERM');
    await b.exited;
    const reruns = await rows<{ chunk: number }>(`SELECT min(chunk)::int AS chunk FROM chunk_runs WHERE job_id = $1 AND pid = $2`, id, b.child.pid);
    expect(reruns[0]!.chunk).toBe(atKill);
    expect(await rows(`SELECT 1 FROM completions WHERE job_id = $1`, id)).toHaveLength(1);
  }, 120_000);

  it('migrates legacy sessions through the pooler', async () => {
    await insertSession(t.db, { status: 'completed', filename: 'done.txt', rawText: smallPlay('Done', 'ELENA', 'FYODOR') });
    await insertSession(t.db, { status: 'parsing', filename: 'half.txt', rawText: smallPlay('Half', 'ANNA', 'CLARA') });
    const dry = await pooledCli(['migrate-sessions', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const run = await pooledCli(['migrate-sessions', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const again = await pooledCli(['migrate-sessions', '--json']);
    expect(again.code).toBe(0);
    const jobs = await rows<{ filename: string; status: string }>(
      `SELECT filename, status::text FROM "ParseJob" WHERE "legacySessionId" IS NOT NULL ORDER BY filename`,
    );
    expect(jobs).toEqual([
      { filename: 'done.txt', status: 'completed' },
      { filename: 'half.txt', status: 'queued' },
    ]);
  }, 120_000);

  it('without a direct URL, warns once and finds work by polling', async () => {
    const id = await enqueueThroughPooler('poll-me.txt', smallPlay('Poll Me', 'BORIS', 'ELENA'));
    const w = spawnProcess(
      [join(ROOT, 'bin', 'playbuddy.js'), 'work', '--drain', '--poll-interval', '200ms', '--log-format', 'json'],
      { DATABASE_URL: bouncer.url(t.name) + '?pgbouncer=true', PLAYBUDDY_DIRECT_DATABASE_URL: '' },
    );
    expect(await w.exited, w.output()).toBe(0);
    expect(w.output().match(/PLAYBUDDY_DIRECT_DATABASE_URL is not set/g)).toHaveLength(1);
    expect((await jobOf(id)).status).toBe('completed');
  }, 120_000);

  it('migrates a new database over the direct URL, and refuses to without one', async () => {
    const fresh = await createEmptyDatabase('pgb_migrate');
    try {
      const play = join(dir, 'fresh.txt');
      writeFileSync(play, smallPlay('Fresh', 'ANNA', 'BORIS'));
      const refused = await runCli(['enqueue', play], { env: { DATABASE_URL: `${bouncer.url(fresh.name)}?pgbouncer=true`, PLAYBUDDY_DIRECT_DATABASE_URL: '' } });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/leads to a connection pooler/);
      expect(refused.stderr).toMatch(/hint: Set PLAYBUDDY_DIRECT_DATABASE_URL/);
      const c = new pg.Client({ connectionString: fresh.url });
      await c.connect();
      try {
        const tables = await c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
        expect(tables.rows[0].n).toBe(0);
      } finally {
        await c.end();
      }

      const migrated = await runCli(['db', 'migrate'], { env: { DATABASE_URL: bouncer.url(fresh.name), PLAYBUDDY_DIRECT_DATABASE_URL: fresh.url } });
      expect(migrated.stderr).toBe('');
      expect(migrated.stdout).toMatch(/applied/);
      const queued = await runCli(['enqueue', play], { env: { DATABASE_URL: `${bouncer.url(fresh.name)}?pgbouncer=true`, PLAYBUDDY_DIRECT_DATABASE_URL: '' } });
      expect(queued.stderr).toBe('');
      expect(queued.code).toBe(0);
    } finally {
      await fresh.drop();
    }
  }, 120_000);
});
