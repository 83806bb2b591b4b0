import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { scriptModel, startLlmDouble, type LlmDouble } from '../doubles/llm-server.js';

// `work --drain` as cron runs it: the exit code tells a failed job (2) from a broken command (1), one line
// per job and one summary line say what happened, and --wait-retries keeps a transient failure from
// leaving the play to the next run.

const PLAY = readFileSync(new URL('../llm/fixtures/bakery.txt', import.meta.url), 'utf8');
let t: TestDatabase;
let dir: string;
let double: LlmDouble;

beforeAll(async () => {
  t = await createTestDatabase('drain');
  dir = mkdtempSync(join(tmpdir(), 'pb-drain-'));
  double = await startLlmDouble();
});
afterAll(async () => {
  await double?.close();
  await t?.drop();
});
beforeEach(async () => {
  await t.db.$executeRawUnsafe('TRUNCATE "ParseJob", "JobEvent" CASCADE');
});

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { databaseUrl: t.url, env, timeoutMs: 90_000 });
const FAST = ['--poll-interval', '100ms', '--log-format', 'json'];

async function enqueue(name: string, text: string, flags: string[] = []): Promise<string> {
  const file = join(dir, name);
  writeFileSync(file, text);
  const r = await cli(['enqueue', file, '--force', '--json', ...flags], { PLAYBUDDY_LLM_API_KEY: 'k' });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).enqueued[0].id;
}

// Each case runs two to four CLI processes; a loaded two-core machine needs room.
describe('work --drain', { timeout: 180_000 }, () => {
  it('exits 0 when every job completed, with one line per job and a one-line summary', async () => {
    const id = await enqueue('good.txt', PLAY);
    const r = await cli(['work', '--drain', ...FAST]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^completed\\s+${id.slice(0, 8)}\\s+.*good\\.txt \\(`));
    expect(lines.at(-1)).toMatch(/^nothing left to run now: ran 1 job \(1 completed\); the queue is empty$/);
    // The finished time is when it finished: not before its completion event.
    const [times] = await t.db.$queryRawUnsafe<Array<{ finished: Date; event: Date }>>(
      `SELECT j."completedAt" AS finished, e."createdAt" AS event FROM "ParseJob" j JOIN "JobEvent" e ON e."jobId" = j.id AND e.event = 'completed' WHERE j.id = $1`,
      id,
    );
    expect(times!.finished.getTime()).toBeLessThanOrEqual(times!.event.getTime());
  });

  it('exits 2 when a job it ran failed for good, naming it in the summary', async () => {
    const bad = await enqueue('notes.txt', 'a shopping list\nmilk\nbread\n');
    await enqueue('good.txt', PLAY);
    const r = await cli(['work', '--drain', ...FAST]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toMatch(new RegExp(`^failed\\s+${bad.slice(0, 8)}\\s+.*notes\\.txt .*no play structure found`, 'm'));
    expect(r.stdout.trim().split('\n').at(-1)).toBe(`nothing left to run now: ran 2 jobs (1 completed, 1 failed (${bad.slice(0, 8)})); the queue is empty`);
    // The failure carries the hint `parse` gives for a text that is not a play.
    expect((await cli(['status', bad])).stdout).toMatch(/^failure\s+no play structure found: .*\. Is this a play script\? Speaker names, acts and scenes/m);
  });

  it('exits 1 for an error of the command itself', async () => {
    const noDb = await runCli(['work', '--drain'], { databaseUrl: 'postgresql://root@127.0.0.1:1/none' });
    expect(noDb.code).toBe(1);
    const misuse = await cli(['work', '--wait-retries', '10s']);
    expect(misuse.code).toBe(1);
    expect(misuse.stderr).toMatch(/--wait-retries only applies to --drain/);
  });

  it('says what it leaves waiting, and with --wait-retries waits for a retry that falls due', async () => {
    let calls = 0;
    // A request is tried 4 times within an attempt; failing all four fails the attempt, which is retried.
    double.setHandler((request, index) => (calls++ < 4 ? { status: 503, message: 'overloaded' } : scriptModel(request, index)));
    const llm = ['--parser', 'llm', '--provider', 'openai-compatible', '--model', 'm', '--base-url', double.url];
    const id = await enqueue('llm.txt', PLAY, llm);
    const env = { PLAYBUDDY_LLM_API_KEY: 'k' };

    // The retry must still be waiting when the second drain starts, however slowly processes start here.
    const first = await cli(['work', '--drain', '--retry-delay', '20s', ...FAST], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^retrying\\s+${id.slice(0, 8)} .*503`, 'm'));
    expect(first.stdout.trim().split('\n').at(-1)).toMatch(/ran 1 job \(0 completed, 1 to be retried\); left: 1 waiting to retry$/);
    // One attempt made, three left: not "2/4".
    const waiting = await cli(['status', id]);
    expect(waiting.stdout).toMatch(/^attempts\s+1\/4$/m);

    // Backoff is jittered: make the retry fall due a known while from now, after the second drain starts.
    await t.db.$executeRawUnsafe(`UPDATE "ParseJob" SET "runAfter" = now() + interval '12 seconds' WHERE id = $1`, id);
    const second = await cli(['work', '--drain', '--wait-retries', '60s', ...FAST], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^waiting\s+\d/m);
    expect(second.stdout).toMatch(new RegExp(`^completed\\s+${id.slice(0, 8)}`, 'm'));
    expect(second.stdout.trim().split('\n').at(-1)).toMatch(/ran 1 job \(1 completed\); the queue is empty$/);
    expect((await cli(['status', id])).stdout).toMatch(/^attempts\s+2\/4$/m);
  });

  it('does not wait for a retry due later than --wait-retries', async () => {
    double.setHandler(() => ({ status: 503, message: 'overloaded' }));
    const llm = ['--parser', 'llm', '--provider', 'openai-compatible', '--model', 'm', '--base-url', double.url];
    await enqueue('later.txt', PLAY, llm);
    const env = { PLAYBUDDY_LLM_API_KEY: 'k' };
    const started = Date.now();
    const r = await cli(['work', '--drain', '--retry-delay', '1m', '--wait-retries', '2s', ...FAST], env);
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.stdout).not.toMatch(/^waiting/m);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/left: 1 waiting to retry$/);
  });

  it('shows --wait-retries and the exit codes in --help', async () => {
    const r = await cli(['work', '--help']);
    expect(r.stdout).toMatch(/--wait-retries <duration>/);
    expect(r.stdout).toMatch(/Exit codes:\n\s+0 .*\n\s+1 .*\n\s+2 /);
  });
});
