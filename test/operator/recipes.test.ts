import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { waitFor } from '../helpers/wait.js';
import { startLlmDouble, scriptModel, type LlmDouble } from '../doubles/llm-server.js';

// The README's recipes for running playbuddy day to day, checked as written: the cron import (two runs
// overlapping on one folder, each followed by a drain), and the systemd unit (valid for systemd, and its
// stop — SIGTERM within TimeoutStopSec — hands a running job back to the queue).

const run = promisify(execFile);
const UNIT = join(ROOT, 'scripts', 'systemd', 'playbuddy-work.service');
const BIN = join(ROOT, 'bin', 'playbuddy.js');
let t: TestDatabase;
let inbox: string;

beforeAll(async () => {
  t = await createTestDatabase('recipes');
  inbox = mkdtempSync(join(tmpdir(), 'pb-inbox-'));
  for (const f of ['synge-riders-to-the-sea.txt', 'chekhov-medved.txt', 'lessing-emilia-galotti.txt', 'shaw-arms-and-the-man.txt']) {
    cpSync(join(ROOT, 'test', 'fixtures', 'plays', f), join(inbox, f));
  }
  // The same text under a second name is one play, not two.
  cpSync(join(ROOT, 'test', 'fixtures', 'plays', 'chekhov-medved.txt'), join(inbox, 'copy-of-medved.txt'));
});
afterAll(async () => {
  await t?.drop();
});

function unitValue(key: string): string {
  const line = readFileSync(UNIT, 'utf8').split('\n').find((l) => l.startsWith(`${key}=`));
  if (!line) throw new Error(`${key}= is missing from the unit`);
  return line.slice(key.length + 1);
}

describe('cron: overlapping imports of one folder', () => {
  it('store every play exactly once', async () => {
    const env = { DATABASE_URL: t.url };
    // Two cron runs that overlap: each imports the folder, then drains the queue.
    const cronRun = async () => {
      const enqueue = await runCli(['enqueue', inbox], { env });
      const work = await runCli(['work', '--drain', '--poll-interval', '100ms'], { env, timeoutMs: 120_000 });
      return { enqueue, work };
    };
    const [a, b] = await Promise.all([cronRun(), cronRun()]);
    for (const r of [a, b]) {
      expect(r.enqueue.code, r.enqueue.stderr).toBe(0);
      expect([0], r.work.stderr).toContain(r.work.code);
    }
    // Whatever one drain left to the other is done once both have finished.
    const last = await runCli(['work', '--drain'], { env });
    expect(last.code, last.stderr).toBe(0);

    const jobs = await t.db.parseJob.findMany({ select: { contentHash: true, status: true, playbookId: true } });
    expect(jobs).toHaveLength(4);
    expect(new Set(jobs.map((j) => j.contentHash)).size).toBe(4);
    expect(jobs.every((j) => j.status === 'completed' && j.playbookId)).toBe(true);
    expect(await t.db.playbook.count()).toBe(4);
  }, 240_000);
});

describe('systemd unit', () => {
  it('passes systemd-analyze verify (where systemd-analyze exists)', async (ctx) => {
    const has = await run('sh', ['-c', 'command -v systemd-analyze']).then(() => true, () => false);
    if (!has) ctx.skip();
    // verify checks that ExecStart names an executable: point it at this checkout's.
    const dir = mkdtempSync(join(tmpdir(), 'pb-unit-'));
    const unit = join(dir, 'playbuddy-work.service');
    writeFileSync(unit, readFileSync(UNIT, 'utf8').replace(/^ExecStart=\S+/m, `ExecStart=${BIN}`));
    const r = await run('systemd-analyze', ['verify', unit]).then((o) => ({ code: 0, ...o }), (e: { code: number; stdout: string; stderr: string }) => e);
    expect(r.stderr.trim()).toBe('');
    expect(r.code).toBe(0);
  });

  it('stops as systemd stops it: SIGTERM hands the running job back within TimeoutStopSec', async () => {
    const double: LlmDouble = await startLlmDouble(async (request, index) => ({ ...(await scriptModel(request, index)), delayMs: 1_500 }));
    try {
      const play = join(inbox, 'synge-riders-to-the-sea.txt');
      const llm = ['--parser', 'llm', '--provider', 'openai-compatible', '--model', 'm', '--base-url', double.url, '--chunk-size', '2000', '--force', '--json'];
      const enq = await runCli(['enqueue', play, ...llm], { databaseUrl: t.url, env: { PLAYBUDDY_LLM_API_KEY: 'k' } });
      const id = JSON.parse(enq.stdout).enqueued[0].id as string;

      const args = unitValue('ExecStart').split(/\s+/).slice(1);
      const worker = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, DATABASE_URL: t.url, PLAYBUDDY_LLM_API_KEY: 'k' }, stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => worker.on('exit', (code) => resolve(code)));
      await waitFor('the job to run', async () => (await t.db.parseJob.findUnique({ where: { id } }))?.status === 'running', 60_000);
      await waitFor('a chunk to be asked', async () => double.requests.length > 0, 30_000);

      const stopSec = Number(unitValue('TimeoutStopSec'));
      const stopped = Date.now();
      worker.kill(unitValue('KillSignal') as NodeJS.Signals);
      expect(await exited).toBe(0);
      expect(Date.now() - stopped).toBeLessThan(stopSec * 1000);
      const job = await t.db.parseJob.findUniqueOrThrow({ where: { id } });
      expect(job.status).toBe('queued');
      expect(job.retryCount).toBe(0);
    } finally {
      await double.close();
    }
  }, 120_000);
});
