import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { openTerminal } from '../helpers/tmux.js';
import { scriptModel, startLlmDouble, type LlmDouble } from '../doubles/llm-server.js';

// `status --watch` in a real terminal (tmux): the screen follows a job from queued to running (with its
// progress bar and chunks) to completed, redrawn in place; Ctrl-C gives the terminal back as it was. And
// its fallback where stdout is not a terminal: plain frames, no escape sequences.

const PLAY = readFileSync(new URL('../llm/fixtures/bakery.txt', import.meta.url), 'utf8');
let t: TestDatabase;
let double: LlmDouble;

beforeAll(async () => {
  t = await createTestDatabase('watch');
  // Each chunk takes a while, so the job is seen running.
  double = await startLlmDouble(async (request, index) => ({ ...(await scriptModel(request, index)), delayMs: 1_500 }));
});
afterAll(async () => {
  await double?.close();
  await t?.drop();
});

const BIN = join(ROOT, 'bin', 'playbuddy.js');

describe('status --watch', { timeout: 180_000 }, () => {
  it('follows a job from queued to running to completed in place, and Ctrl-C restores the terminal', async () => {
    const term = openTerminal(`${process.execPath} ${BIN} status --watch --interval 300ms`, { env: { DATABASE_URL: t.url }, height: 30 });
    try {
      await term.waitForScreen(/running: none/);
      expect(term.modes()).toEqual({ alternateScreen: true, cursorVisible: false });
      const llm = ['--parser', 'llm', '--provider', 'openai-compatible', '--model', 'm', '--base-url', double.url, '--chunk-size', '500', '--json'];
      const r = await runCli(['enqueue', '-', '--name', 'bakery.txt', ...llm], { databaseUrl: t.url, input: PLAY, env: { PLAYBUDDY_LLM_API_KEY: 'k' } });
      const id = (JSON.parse(r.stdout).enqueued[0].id as string).slice(0, 8);
      await term.waitForScreen(/^queued 1 · running 0/m);

      const worker = spawn(process.execPath, [BIN, 'work', '--drain'], { env: { ...process.env, DATABASE_URL: t.url, PLAYBUDDY_LLM_API_KEY: 'k' }, stdio: 'ignore' });
      const exited = new Promise((resolve) => worker.on('exit', resolve));
      const running = await term.waitForScreen(new RegExp(`^  ${id}  bakery\\.txt\\s+[█░]+\\s+\\d+% parsing chunk \\d+/\\d+`, 'm'), 60_000);
      expect(running).toMatch(/^queued 0 · running 1/m);
      expect(running).toMatch(/^live workers \(1\):\n  \S+:\d+  heartbeat \S+ ago  holds 1\/1: /m);
      // Redrawn in place: one view on the screen, not a stream of frames.
      expect(running.match(/playbuddy status —/g)).toHaveLength(1);
      await term.waitForScreen(/completed 1 · failed 0 · cancelled 0 · 1 completed in the last minute/, 90_000);
      await exited;

      term.send(['C-c']);
      await term.waitForScreen(/\[exit 0\]/);
      expect(term.modes()).toEqual({ alternateScreen: false, cursorVisible: true });
      expect(term.screen()).not.toMatch(/playbuddy status —/);
    } finally {
      term.close();
    }
  });

  it('prints plain timestamped frames when stdout is not a terminal, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'status', '--watch', '--interval', '200ms'], { env: { ...process.env, DATABASE_URL: t.url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = new Promise((resolve) => child.on('exit', resolve));
    while ((out.match(/playbuddy status —/g) ?? []).length < 3) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    expect(await code).toBe(0);
    expect(out).not.toMatch(/\x1b/);
    expect(out).toMatch(/^playbuddy status — \d\d:\d\d:\d\d UTC, every 200ms/m);
    expect(out).toMatch(/^queued 0 · running 0 · paused 0 · retrying 0 · completed 1/m);
  });

  it('refuses --watch with a job id or --json', async () => {
    const r = await runCli(['status', '--watch', '--json'], { databaseUrl: t.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--watch shows the whole queue/);
  });
});
