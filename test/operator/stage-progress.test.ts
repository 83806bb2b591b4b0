import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { waitFor } from '../helpers/wait.js';

// A rules job reports where it is by stage — parsing, through the play as the parser goes, then storing the
// rows — in `status` while a real worker runs it, instead of "100 % (1/1)" from start to end; a job that
// fails shows the stage it stopped in.

// A long play: twenty copies of one, which the rules parser takes seconds to read and the store to write.
const PLAY = readFileSync(new URL('../fixtures/plays/ibsen-a-dolls-house.txt', import.meta.url), 'utf8');
const LONG_PLAY = Array.from({ length: 20 }, () => PLAY).join('\n\n');
const BIN = join(ROOT, 'bin', 'playbuddy.js');

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('stage');
});
afterAll(async () => {
  await t?.drop();
});

const cli = (args: string[], input?: string) => runCli(args, { databaseUrl: t.url, input });

interface Seen {
  status: string;
  stage: string | null;
  progress: number;
}

describe('stage progress', { timeout: 240_000 }, () => {
  it('shows a rules job parsing through the play, then storing, with a percentage short of 100 until it completes', async () => {
    const id = JSON.parse((await cli(['enqueue', '-', '--name', 'long.txt', '--json'], LONG_PLAY)).stdout).enqueued[0].id as string;
    // Holding back the play's rows keeps the job in its storing stage until the test has looked at it.
    const blocker = new pg.Client({ connectionString: t.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE "Playbook" IN SHARE MODE');
    const worker = spawn(process.execPath, [BIN, 'work', '--drain'], { env: { ...process.env, DATABASE_URL: t.url }, stdio: 'ignore' });
    let alive = true;
    const exited = new Promise((resolve) => worker.on('exit', resolve)).finally(() => (alive = false));
    const seen: Seen[] = [];
    // A fast machine parses the play within the first second, before any progress is due (writes are at
    // most one a second). Freezing the worker for longer than that between short runs makes each run report
    // where the parser got to, however fast it is, and the frozen job holds still while the test looks.
    let storingSeen = false;
    const stutter = (async () => {
      while (alive && !storingSeen) {
        worker.kill('SIGSTOP');
        await new Promise((r) => setTimeout(r, 1_200));
        worker.kill('SIGCONT');
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      const storing = await waitFor(
        'the job to be storing',
        async () => {
          const { rows } = await t.sql.query<Seen>(`SELECT status::text AS status, stage, progress FROM "ParseJob" WHERE id = $1`, [id]);
          const now = rows[0]!;
          const last = seen.at(-1);
          if (!last || last.stage !== now.stage || last.progress !== now.progress || last.status !== now.status) seen.push(now);
          storingSeen = now.stage === 'storing' && now.status === 'running';
          return storingSeen;
        },
        180_000,
      );
      expect(storing).toBe(true);

      const json = JSON.parse((await cli(['status', '--json'])).stdout);
      expect(json.jobs[0]).toMatchObject({ id, status: 'running', stage: 'storing', progress: 90 });
      expect((await cli(['status'])).stdout).toMatch(/│ running\s+│ storing 90%\s+│/);
      const detail = (await cli(['status', id.slice(0, 8)])).stdout;
      expect(detail).toMatch(/^progress\s+storing 90%$/m);
    } finally {
      storingSeen = true;
      await stutter;
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    await exited;

    const running = seen.filter((s) => s.status === 'running');
    // Through the play: parsing somewhere strictly between its start and its end, never moving back.
    expect(running.some((s) => s.stage === 'parsing' && s.progress > 0 && s.progress < 90), JSON.stringify(seen)).toBe(true);
    const progress = running.map((s) => s.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(running.every((s) => s.progress < 100)).toBe(true);
    const stages = [...new Set(running.map((s) => s.stage).filter(Boolean))];
    expect(stages).toEqual(['parsing', 'storing']);
    expect(await t.sql.query(`SELECT status::text AS status, progress FROM "ParseJob" WHERE id = $1`, [id]).then((r) => r.rows[0])).toEqual({
      status: 'completed',
      progress: 100,
    });
  });

  it('shows the stage a failed job stopped in', async () => {
    const notes = Array.from({ length: 200 }, (_, i) => `Shopping list ${i}: milk, bread, eggs.\n`).join('\n');
    const id = JSON.parse((await cli(['enqueue', '-', '--name', 'notes.txt', '--json'], notes)).stdout).enqueued[0].id as string;
    expect((await cli(['work', '--drain'])).code).toBe(2);
    const json = JSON.parse((await cli(['status', id.slice(0, 8), '--json'])).stdout);
    expect(json).toMatchObject({ status: 'failed', stage: 'parsing' });
    expect((await cli(['status', '--status', 'failed'])).stdout).toMatch(/│ failed\s+│ parsing \d+%\s+│/);
    expect((await cli(['status', id.slice(0, 8)])).stdout).toMatch(/^progress\s+parsing \d+%$/m);
  });
});
