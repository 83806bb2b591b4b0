import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { waitFor } from '../helpers/wait.js';
import { scriptModel, startLlmDouble, type LlmDouble } from '../doubles/llm-server.js';

// The monitoring commands against a queue in the states an operator must be told about: no worker while
// jobs wait, a job left running past its lease by a killed worker, a burst of failures; then metrics over
// that history, and prune of old history that leaves plays and live jobs alone.

const PLAY = readFileSync(new URL('../llm/fixtures/bakery.txt', import.meta.url), 'utf8');
const RIDERS = join(ROOT, 'test', 'fixtures', 'plays', 'synge-riders-to-the-sea.txt');
let t: TestDatabase;
let double: LlmDouble;

beforeAll(async () => {
  t = await createTestDatabase('health');
  double = await startLlmDouble(async (request, index) => ({ ...(await scriptModel(request, index)), delayMs: 60_000 }));
});
afterAll(async () => {
  await double?.close();
  await t?.drop();
});

const cli = (args: string[], input?: string) => runCli(args, { databaseUrl: t.url, input, env: { PLAYBUDDY_LLM_API_KEY: 'k' }, timeoutMs: 90_000 });
interface HealthJson {
  status: string;
  checks: Array<{ name: string; level: string; detail: string }>;
}
async function health(args: string[] = []): Promise<{ code: number | null; json: HealthJson }> {
  const r = await cli(['health', '--json', ...args]);
  return { code: r.code, json: JSON.parse(r.stdout) as HealthJson };
}
const levelOf = (h: HealthJson, name: string) => h.checks.find((c) => c.name === name)?.level;

describe('health', { timeout: 120_000 }, () => {
  it('is healthy on an idle queue, degraded without the workers it wants', async () => {
    expect((await health(['--min-workers', '0'])).code).toBe(0);
    const h = await health();
    expect(h.code).toBe(1);
    expect(levelOf(h.json, 'workers')).toBe('degraded');
  });

  it('is unhealthy with no worker while jobs wait (a stopped worker), and says so in text', async () => {
    const waiting = JSON.parse((await cli(['enqueue', '-', '--name', 'waiting.txt', '--json'], PLAY)).stdout).enqueued[0].id;
    const h = await health();
    expect(h.code).toBe(2);
    expect(levelOf(h.json, 'workers')).toBe('unhealthy');
    const text = await cli(['health']);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/^unhealthy\n/);
    expect(text.stdout).toMatch(/FAIL\s+workers\s+0 live \(at least 1 wanted\), 1 job\(s\) waiting/);
    await cli(['cancel', waiting]);
  });

  it('is degraded by a job left running past its lease (a worker killed with SIGKILL)', async () => {
    const llm = ['--parser', 'llm', '--provider', 'openai-compatible', '--model', 'm', '--base-url', double.url, '--json'];
    const id = JSON.parse((await cli(['enqueue', '-', '--name', 'stuck.txt', ...llm], PLAY.replace('Baker', 'Cook'))).stdout).enqueued[0].id as string;
    const worker = spawn(process.execPath, [join(ROOT, 'bin', 'playbuddy.js'), 'work', '--lease', '2s'], {
      env: { ...process.env, DATABASE_URL: t.url, PLAYBUDDY_LLM_API_KEY: 'k' },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => worker.on('exit', resolve));
    await waitFor('the job to run', async () => (await t.db.parseJob.findUnique({ where: { id } }))?.status === 'running', 60_000);
    worker.kill('SIGKILL');
    await exited;
    await waitFor('the lease to expire', async () => (await t.db.parseJob.findUniqueOrThrow({ where: { id } })).lockExpiry! < new Date(), 10_000);
    const h = await health(['--min-workers', '0']);
    expect(h.code).toBe(1);
    expect(levelOf(h.json, 'past lease')).toBe('degraded');
    // Let a worker recover it and give up on it, so the next case starts from a quiet queue.
    await cli(['cancel', id]);
  });

  it('is unhealthy after a burst of failures, degraded when some jobs still complete', async () => {
    for (const n of [1, 2, 3]) await cli(['enqueue', '-', '--name', `notes-${n}.txt`], `shopping list ${n}\nmilk\nbread\n`);
    const drain = await cli(['work', '--drain']);
    expect(drain.code, drain.stdout).toBe(2);
    const burst = await health(['--min-workers', '0', '--window', '10m']);
    expect(burst.code).toBe(2);
    expect(levelOf(burst.json, 'failure rate')).toBe('unhealthy');
    await cli(['enqueue', '-', '--name', 'good.txt'], PLAY);
    expect((await cli(['work', '--drain'])).code).toBe(0);
    const some = await health(['--min-workers', '0']);
    expect(some.code).toBe(1);
    expect(levelOf(some.json, 'failure rate')).toBe('degraded');
    const tolerant = await health(['--min-workers', '0', '--max-failure-rate', '0.9']);
    expect(tolerant.code).toBe(0);
  });

  it('is unhealthy when the database cannot be reached, without a stack trace', async () => {
    const r = await runCli(['health'], { databaseUrl: 'postgresql://root@127.0.0.1:1/nowhere' });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^unhealthy\n\s+FAIL\s+database\s+cannot connect/);
    expect(r.stderr).toBe('');
  });
});

describe('metrics', { timeout: 60_000 }, () => {
  it('reports depth, throughput, durations and failure rate as text, JSON and Prometheus', async () => {
    const json = JSON.parse((await cli(['metrics', '--json'])).stdout);
    expect(json.depth).toMatchObject({ completed: 1, failed: 3, cancelled: 2 });
    expect(json.window).toMatchObject({ completed: 1, failed: 3, failureRate: 0.75 });
    expect(json.window.durationP50Ms).toBeGreaterThan(0);
    const prom = (await cli(['metrics', '--prometheus'])).stdout;
    expect(prom).toMatch(/^# TYPE playbuddy_jobs gauge$/m);
    expect(prom).toMatch(/^playbuddy_jobs\{status="failed"\} 3$/m);
    expect(prom).toMatch(/^playbuddy_failure_ratio\{window_seconds="3600"\} 0\.75$/m);
    expect(prom).toMatch(/^playbuddy_job_duration_seconds\{quantile="0\.95",window_seconds="3600"\} [\d.]+$/m);
    for (const line of prom.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[\d.e+-]+)$/);
    expect((await cli(['metrics'])).stdout).toMatch(/^queue: queued 0 · running 0 · paused 0 · retrying 0 · completed 1 · failed 3 · cancelled 2\n/);
  });
});

describe('prune', { timeout: 120_000 }, () => {
  it('deletes old finished jobs and their events in batches, never plays or live jobs', async () => {
    const r = JSON.parse((await cli(['enqueue', RIDERS, '--json'])).stdout);
    const old = r.enqueued[0].id as string;
    expect((await cli(['work', '--drain'])).code).toBe(0);
    const { playbookId } = await t.db.parseJob.findUniqueOrThrow({ where: { id: old } });
    const waiting = JSON.parse((await cli(['enqueue', '-', '--name', 'later.txt', '--json'], PLAY.replace('Baker', 'Miller'))).stdout).enqueued[0].id;
    // Two months ago: everything so far, including the still-queued job.
    await t.db.$executeRawUnsafe(`UPDATE "ParseJob" SET "createdAt" = "createdAt" - interval '60 days', "completedAt" = "completedAt" - interval '60 days', "updatedAt" = "updatedAt" - interval '60 days'`);
    const fresh = JSON.parse((await cli(['enqueue', '-', '--name', 'fresh.txt', '--json'], PLAY.replace('Baker', 'Smith'))).stdout).enqueued[0].id;
    const before = await t.db.parseJob.count();
    const events = await t.db.jobEvent.count();

    const dry = JSON.parse((await cli(['prune', '--older-than', '30d', '--dry-run', '--json'])).stdout);
    expect(dry).toMatchObject({ dryRun: true, jobs: before - 2 });
    expect(await t.db.parseJob.count()).toBe(before);

    const failedOnly = JSON.parse((await cli(['prune', '--older-than', '30d', '--status', 'failed', '--json'])).stdout);
    expect(failedOnly.jobs).toBe(3);
    const all = await cli(['prune', '--older-than', '30d', '--batch-size', '2']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/^deleted \d+ completed\/cancelled\/failed jobs older than 30d with \d+ events/);

    const left = await t.db.parseJob.findMany({ select: { id: true } });
    expect(left.map((j) => j.id).sort()).toEqual([waiting, fresh].sort());
    expect(await t.db.jobEvent.count({ where: { jobId: { notIn: [waiting, fresh] } } })).toBe(0);
    expect(await t.db.jobEvent.count()).toBeLessThan(events);
    expect(await t.db.playbook.count({ where: { id: playbookId! } })).toBe(1);
    expect((await cli(['show', playbookId!.slice(0, 8)])).code).toBe(0);
  });

  it('needs --older-than and refuses a status that is not finished', async () => {
    expect((await cli(['prune'])).stderr).toMatch(/--older-than/);
    const r = await cli(['prune', '--older-than', '1d', '--status', 'queued']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"queued" is not one of completed, cancelled, failed/);
  });
});
