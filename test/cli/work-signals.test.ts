import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { testDatabase } from '../helpers/db.js';
import { waitFor } from '../helpers/wait.js';
import { startLlmDouble, type LlmDouble } from '../doubles/llm-server.js';

// Ctrl-C on a real `playbuddy work`: a stop honours --grace even while the job's play is being stored (the
// storing transaction is rolled back and the job handed back whole), and a second Ctrl-C, which leaves its
// job to recovery, still deregisters the worker.

const t = testDatabase('cli_work_signals');
const children = new Set<ChildProcess>();
let dir: string;
let double: LlmDouble;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pb-work-signals-'));
  double = await startLlmDouble();
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await double?.close();
});

interface WorkProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function work(args: string[], env: NodeJS.ProcessEnv = {}): WorkProcess {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'playbuddy.js'), 'work', '--log-format', 'json', '--poll-interval', '100ms', ...args], {
    env: { ...process.env, ...env, DATABASE_URL: t.url, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => (children.delete(child), resolve(code ?? (signal ? -1 : null)))));
  return { child, output: () => out, exited };
}

async function enqueue(name: string, text: string, flags: string[] = []): Promise<string> {
  const file = join(dir, name);
  writeFileSync(file, text);
  const r = await runCli(['enqueue', file, '--json', ...flags], { databaseUrl: t.url, env: { PLAYBUDDY_LLM_API_KEY: 'k' } });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).enqueued[0].id;
}

const count = async (table: string): Promise<number> => (await t.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0]!.n;
const jobOf = async (id: string) =>
  (await t.sql.query<{ status: string; workerId: string | null; playbookId: string | null; lockExpiry: Date | null; expired: boolean }>(
    `SELECT status, "workerId", "playbookId", "lockExpiry", "lockExpiry" < now() AS expired FROM "ParseJob" WHERE id = $1`,
    [id],
  )).rows[0]!;
const eventsOf = async (id: string) =>
  (await t.sql.query<{ event: string; details: Record<string, unknown> }>(`SELECT event, details FROM "JobEvent" WHERE "jobId" = $1 ORDER BY "createdAt", id`, [id])).rows;

/** A play of `speeches` speeches in five acts of ten scenes, for the rules parser. */
function longPlay(speeches: number): string {
  const parts = ['THE LONG NIGHT\n\nby A. Tester\n'];
  const perScene = Math.ceil(speeches / 50);
  for (let n = 0; n < speeches; n++) {
    if (n % (perScene * 10) === 0) parts.push(`\nACT ${n / (perScene * 10) + 1}\n`);
    if (n % perScene === 0) parts.push(`\nSCENE ${((n / perScene) % 10) + 1}\n`);
    parts.push(`\n${['ALICE', 'BOB', 'CAROL'][n % 3]}. Speech number ${n + 1}, which goes on for a little while.\n`);
  }
  return parts.join('');
}

describe('playbuddy work and Ctrl-C', { timeout: 180_000 }, () => {
  it('with --grace 500ms, rolls back a play being stored, hands the job back and exits; a later worker stores it once', async () => {
    const id = await enqueue('long-night.txt', longPlay(20_000));

    // The store is held in its first batch of lines by a lock on the table, so the job is in its storing
    // stage (its play, cast and scenes written in the open transaction) for as long as the test needs.
    const blocker: pg.PoolClient = await t.sql.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE "Line" IN SHARE MODE');
      const worker = work(['--grace', '500ms', '--lease', '10m']);
      await waitFor(
        'the worker to be storing the play',
        async () =>
          (
            await t.sql.query(
              `SELECT 1 FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' AND l.granted
               WHERE a.datname = current_database() AND a.wait_event_type = 'Lock' AND a.query LIKE '%INSERT INTO "Line"%'`,
            )
          ).rows.length > 0,
        90_000,
      );
      worker.child.kill('SIGINT');
      // The table stays locked: a worker that waited for its store to commit could not exit before this.
      const code = await Promise.race([worker.exited, waitFor('the worker to exit', async () => false, 30_000)]);
      expect(code, worker.output()).toBe(0);
      expect(worker.output()).toContain('"released":1');
    } finally {
      await blocker.query('ROLLBACK').catch(() => {});
      blocker.release();
    }

    expect({ playbooks: await count('Playbook'), characters: await count('Character'), scenes: await count('Scene'), lines: await count('Line') }).toEqual({
      playbooks: 0,
      characters: 0,
      scenes: 0,
      lines: 0,
    });
    expect(await jobOf(id)).toMatchObject({ status: 'queued', workerId: null, playbookId: null });
    const events = await eventsOf(id);
    expect(events.map((e) => e.event)).toEqual(['enqueued', 'running', 'released']);
    expect(events[2]!.details).toMatchObject({ from: 'running', to: 'queued', reason: 'worker shutting down' });

    const later = work(['--drain']);
    expect(await later.exited, later.output()).toBe(0);
    const done = await jobOf(id);
    expect(done.status).toBe('completed');
    expect(await count('Playbook')).toBe(1);
    const { rows } = await t.sql.query<{ id: string; lines: number }>(`SELECT p.id, (SELECT count(*)::int FROM "Line") AS lines FROM "Playbook" p`);
    expect(rows).toEqual([{ id: done.playbookId, lines: expect.any(Number) }]);
    expect(rows[0]!.lines).toBeGreaterThanOrEqual(20_000);
  });

  it('on a second Ctrl-C exits at once and still deregisters: no live worker, and the job waits for recovery', async () => {
    // The model never answers within the test: the job runs until the worker is stopped.
    double.setHandler(() => ({ output: {}, delayMs: 600_000 }));
    const id = await enqueue('slow.txt', 'THE SLOW PLAY\n\nACT I\n\nALICE. Hello.\n\nBOB. Hello, Alice.\n', [
      '--parser', 'llm', '--provider', 'openai-compatible', '--model', 'm', '--base-url', double.url,
    ]);
    const worker = work(['--grace', '10m', '--lease', '2s'], { PLAYBUDDY_LLM_API_KEY: 'k' });
    await waitFor('the model call', async () => double.requests.length > 0, 90_000);
    const workerId = (await jobOf(id)).workerId;
    expect(workerId).toBeTruthy();
    const live = await runCli(['status'], { databaseUrl: t.url });
    expect(live.stdout).toContain('1 live worker');

    worker.child.kill('SIGINT');
    await waitFor('the first Ctrl-C to be taken', async () => worker.output().includes('SIGINT: stopping'));
    worker.child.kill('SIGINT');
    expect(await worker.exited, worker.output()).toBe(130);

    const [row] = (await t.sql.query<{ stoppedAt: Date | null }>(`SELECT "stoppedAt" FROM "Worker" WHERE id = $1`, [workerId])).rows;
    expect(row!.stoppedAt).not.toBeNull();
    const status = await runCli(['status'], { databaseUrl: t.url });
    expect(status.stdout).toContain('no live workers');
    const health = await runCli(['health', '--json'], { databaseUrl: t.url });
    expect(JSON.parse(health.stdout).facts.liveWorkers).toBe(0);

    // Its job was not handed back: it is shown as waiting for recovery once its lease has run out.
    await waitFor('the lease to expire', async () => (await jobOf(id)).expired);
    expect(await jobOf(id)).toMatchObject({ status: 'running', workerId });
    const detail = await runCli(['status', id], { databaseUrl: t.url });
    expect(detail.stdout).toMatch(/lease expired \S+ ago \(\d\d:\d\d:\d\d UTC\), waiting for recovery/);
  });
});
