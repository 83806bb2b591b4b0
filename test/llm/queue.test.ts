import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLlmParser } from '../../src/parse/llm/parser.js';
import { TEXT_CLOSE, TEXT_OPEN } from '../../src/llm/prompt.js';
import { readWithRules } from '../../src/parse/hybrid/regions.js';
import { runPipeline } from '../../src/parse/pipeline/run.js';
import { loadPlay } from '../../src/store/load-play.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { testDatabase } from '../helpers/db.js';
import { scriptModel, startLlmDouble, type Handler, type LlmDouble } from '../doubles/llm-server.js';
import { firstQuestion, idOf, readRegionPrompt } from '../doubles/region-model.js';
import { databaseText, startCli, until } from './queue-support.js';

// The LLM parsers through the whole queue, as a user runs them: `enqueue` and `work` are separate
// processes talking to a per-file database, the model is the HTTP double, and the keys live only in the
// worker's environment.

const BAKERY = readFileSync(new URL('./fixtures/bakery.txt', import.meta.url), 'utf8');
const LIGHTHOUSE = readFileSync(new URL('./fixtures/lighthouse.txt', import.meta.url), 'utf8');
const KEYS = {
  ANTHROPIC_API_KEY: 'sk-ant-queue-1f3e5d7c9b2a4680',
  OPENAI_API_KEY: 'sk-queue-openai-8e6c4a2b0d1f3579',
  PLAYBUDDY_LLM_API_KEY: 'local-queue-7b9d1f3e5a2c',
};
const SLOW_TEST_MS = 180_000;

const t = testDatabase('llm_queue');
let double: LlmDouble;
let dir: string;
/** Everything every command printed, for the key check. */
const printed: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'playbuddy-llm-queue-'));
});

afterAll(async () => {
  await t.drop();
});

beforeEach(async () => {
  double = await startLlmDouble();
});

afterEach(async () => {
  await double.close();
});

function keep(result: CliResult): CliResult {
  printed.push(result.stdout, result.stderr);
  return result;
}

function playFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function enqueue(file: string, flags: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = keep(await runCli(['enqueue', file, '--force', '--json', ...flags], { databaseUrl: t.url, env }));
  expect(result.code, result.stderr).toBe(0);
  const out = JSON.parse(result.stdout) as { enqueued: Array<{ id: string }> };
  expect(out.enqueued).toHaveLength(1);
  return out.enqueued[0]!.id;
}

function llmFlags(provider: string, extra: string[] = []): string[] {
  const model = provider === 'anthropic' ? 'claude-sonnet-4-5' : provider === 'openai' ? 'gpt-4.1' : 'test-model';
  return ['--parser', 'llm', '--provider', provider, '--model', model, '--base-url', double.url, '--chunk-size', '500', ...extra];
}

const WORK_FLAGS = ['--drain', '--poll-interval', '100ms', '--retry-delay', '100ms', '--lease', '3s', '--log-format', 'json', '--log-level', 'debug'];

async function work(env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const result = keep(await runCli(['work', ...WORK_FLAGS], { databaseUrl: t.url, env: { ...KEYS, ...env }, timeoutMs: SLOW_TEST_MS }));
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** Runs `work --drain` until the job has ended: a retry may not be due yet when a drain finds the queue empty. */
async function workUntilEnded(id: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  for (let round = 0; round < 30; round++) {
    await work(env);
    const { status } = await job(id);
    if (status === 'completed' || status === 'failed' || status === 'cancelled') return status;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`job ${id} did not end`);
}

function job(id: string) {
  return t.db.parseJob.findUniqueOrThrow({ where: { id } });
}

async function storedLines(id: string) {
  const { playbookId } = await job(id);
  const play = (await loadPlay(t.sql, playbookId!))!;
  return { play, lines: play.acts.flatMap((a) => a.scenes.flatMap((s) => s.lines.map((l) => [l.type, l.text, l.characters.join('+')]))) };
}

/** A longer play, so a scene takes several chunks of 500 characters. */
function week(acts = 2): string {
  const people = ['ALICE', 'BOB', 'CAROL'];
  const parts = ['A Week at the Bakery', 'by Ann Author', ''];
  for (let act = 1; act <= acts; act++) {
    parts.push(`ACT ${act}`, '');
    for (let scene = 1; scene <= 2; scene++) {
      parts.push(`SCENE ${scene}`, '', `[Day ${act}.${scene}: the ovens are lit.]`, '');
      for (let speech = 0; speech < 14; speech++) {
        parts.push(`${people[speech % 3]}. Speech ${speech} of act ${act}, scene ${scene}: the dough rises and the bread is good today.`, '');
      }
    }
  }
  return parts.join('\n');
}

const BAKERY_LINES = [
  ['stage_direction', 'A bakery at dawn.', ''],
  ['dialogue', 'The ovens are warm at last.', 'Alice'],
  ['dialogue', 'And the bread?', 'Bob'],
  ['dialogue', 'Rising, like you should be.', 'Alice'],
  ['stage_direction', 'Enter Carol.', ''],
  ['dialogue', 'Is it open yet?', 'Carol'],
  ['dialogue', 'Not yet!', 'Alice+Bob'],
  ['dialogue', 'She will come back.', 'Bob'],
  ['dialogue', 'They always do.', 'Alice'],
  ['stage_direction', 'Noon. Enter Dave.', ''],
  ['dialogue', 'One loaf, please.', 'Dave'],
  ['dialogue', 'I was first.', 'Carol'],
  ['dialogue', 'There is enough for everyone.', 'Alice'],
];

function chunkTextOf(body: string): string {
  const json = JSON.parse(body) as Record<string, unknown>;
  const text = JSON.stringify(json);
  const open = JSON.stringify(TEXT_OPEN).slice(1, -1);
  const close = JSON.stringify(TEXT_CLOSE).slice(1, -1);
  return text.slice(text.indexOf(open), text.indexOf(close));
}

function requestsPerChunk(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of double.requests) counts.set(chunkTextOf(r.body), (counts.get(chunkTextOf(r.body)) ?? 0) + 1);
  return counts;
}

async function expectNoKeyAnywhere(): Promise<void> {
  const stored = await databaseText(t);
  for (const key of Object.values(KEYS)) {
    for (const text of printed) expect(text.includes(key), 'a key in command output or logs').toBe(false);
    expect(stored.includes(key), 'a key in the database').toBe(false);
  }
}

describe('LLM parsing through the queue', () => {
  it('refuses at enqueue a provider whose key this environment lacks, enqueuing nothing', async () => {
    const before = await t.db.parseJob.count();
    const file = playFile('refused.txt', BAKERY);
    const result = keep(await runCli(['enqueue', file, ...llmFlags('anthropic')], { databaseUrl: t.url, env: { ANTHROPIC_API_KEY: '' } }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .*ANTHROPIC_API_KEY.*\.$/m);

    const withCredentials = keep(
      await runCli(['enqueue', file, '--parser', 'llm', '--provider', 'openai-compatible', '--model', 'm', '--base-url', 'http://user:secret-in-url@127.0.0.1:9/v1'], { databaseUrl: t.url }),
    );
    expect(withCredentials.code).toBe(1);
    expect(withCredentials.stderr).toMatch(/must not contain credentials: put the key in PLAYBUDDY_LLM_API_KEY/);
    const inQuery = keep(
      await runCli(['enqueue', file, '--parser', 'llm', '--provider', 'openai-compatible', '--model', 'm', '--base-url', 'http://127.0.0.1:9/v1?api-key=secret-in-query'], { databaseUrl: t.url }),
    );
    expect(inQuery.code).toBe(1);
    expect(inQuery.stderr).toMatch(/must not carry credentials in its query string \("api-key"\)/);
    expect(inQuery.stderr).not.toContain('secret-in-query');
    expect(await t.db.parseJob.count()).toBe(before);
  });

  for (const [provider, path, keyHeader, key] of [
    ['openai-compatible', '/v1/chat/completions', 'authorization', `Bearer ${KEYS.PLAYBUDDY_LLM_API_KEY}`],
    ['anthropic', '/v1/messages', 'x-api-key', KEYS.ANTHROPIC_API_KEY],
    ['openai', '/v1/responses', 'authorization', `Bearer ${KEYS.OPENAI_API_KEY}`],
  ] as const) {
    it(`stores the play a ${provider} server parsed, with its tokens, and the key only in its header`, { timeout: SLOW_TEST_MS }, async () => {
      const id = await enqueue(playFile(`${provider}.txt`, BAKERY), llmFlags(provider), KEYS);
      await work();

      const done = await job(id);
      expect(done.status, done.lastError ?? '').toBe('completed');
      expect((await storedLines(id)).lines).toEqual(BAKERY_LINES);
      expect(done.inputTokens).toBeGreaterThan(0);
      expect(done.outputTokens).toBeGreaterThan(0);
      expect(done.config).toMatchObject({ parser: 'llm', provider, baseUrl: double.url });
      expect(new Set(double.requests.map((r) => r.path))).toEqual(new Set([path]));
      expect(new Set(double.requests.map((r) => r.headers[keyHeader]))).toEqual(new Set([key]));

      const status = keep(await runCli(['status', id, '--json'], { databaseUrl: t.url }));
      expect(JSON.parse(status.stdout)).toMatchObject({ inputTokens: done.inputTokens, outputTokens: done.outputTokens });
      await expectNoKeyAnywhere();
    });
  }

  it('honours a 429 with Retry-After within the attempt: the request is sent again after the wait and the job completes', { timeout: SLOW_TEST_MS }, async () => {
    const seen: number[] = [];
    double.setHandler((request, index) => {
      seen.push(Date.now());
      return index === 0 ? { status: 429, headers: { 'retry-after': '2' }, message: 'slow down' } : scriptModel(request, index);
    });
    const id = await enqueue(playFile('rate-limited.txt', BAKERY), llmFlags('openai-compatible', ['--max-retries', '0']));
    expect(await workUntilEnded(id)).toBe('completed');

    const done = await job(id);
    expect(done.retryCount).toBe(0);
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(1_900);
    const retries = await t.db.jobEvent.findMany({ where: { jobId: id, event: 'llm-retry' } });
    expect(retries).toHaveLength(1);
    expect(retries[0]!.details).toMatchObject({ tryNumber: 1, waitMs: 2_000, reason: expect.stringMatching(/HTTP 429/) });
    expect((await storedLines(id)).lines).toEqual(BAKERY_LINES);
  });

  it('sends a request again within the attempt after a 5xx and after a timeout, then completes', { timeout: SLOW_TEST_MS }, async () => {
    double.setHandler((request, index) => {
      if (index === 0) return { status: 503, message: 'overloaded' };
      if (index === 1) return { ...(scriptModel(request, index) as object), delayMs: 10_000 } as ReturnType<Handler>;
      return scriptModel(request, index);
    });
    const id = await enqueue(playFile('faults.txt', BAKERY), llmFlags('openai-compatible', ['--max-retries', '0']));
    expect(await workUntilEnded(id, { PLAYBUDDY_LLM_TIMEOUT_SECONDS: '1' })).toBe('completed');

    const done = await job(id);
    expect(done.retryCount).toBe(0);
    const events = JSON.stringify(await t.db.jobEvent.findMany({ where: { jobId: id, event: 'llm-retry' } }));
    expect(events).toMatch(/HTTP 503/);
    expect(events).toMatch(/did not answer within 1 s/);
    expect(double.requests[1]!.aborted).toBe(true);
    expect((await storedLines(id)).lines).toEqual(BAKERY_LINES);
  });

  it('completes a 14-chunk play in one attempt on a server that fails one call in four', { timeout: SLOW_TEST_MS }, async () => {
    double.setHandler((request, index) => (index % 4 === 3 ? { status: 500, message: 'flaky' } : scriptModel(request, index)));
    const id = await enqueue(playFile('flaky.txt', week(3)), llmFlags('openai-compatible', ['--max-retries', '0', '--llm-concurrency', '1']));
    expect(await workUntilEnded(id)).toBe('completed');

    const done = await job(id);
    expect(done.totalChunks).toBeGreaterThanOrEqual(14);
    expect(done.retryCount).toBe(0);
    expect(double.requests.filter((_r, i) => i % 4 === 3).length).toBeGreaterThanOrEqual(3);
    expect(await t.db.jobEvent.count({ where: { jobId: id, event: 'llm-retry' } })).toBe(Math.floor(double.requests.length / 4));
  });

  it('repairs malformed JSON and schema-invalid answers within the attempt', { timeout: SLOW_TEST_MS }, async () => {
    double.setHandler((request, index) => {
      if (index === 0) return { text: '{"title": "The Baker\'s Morning", "entries": [' };
      if (index === 2) {
        const answer = scriptModel(request, index) as { output: { entries: Array<{ speakers: string[] }> } };
        const spoken = answer.output.entries.find((e) => e.speakers.length > 0);
        if (spoken) spoken.speakers = ['nobody'];
        return answer;
      }
      return scriptModel(request, index);
    });
    const id = await enqueue(playFile('repairs.txt', BAKERY), llmFlags('openai-compatible'));
    await work();

    const done = await job(id);
    expect(done.status, done.lastError ?? '').toBe('completed');
    expect(done.retryCount).toBe(0);
    const repairs = double.requests.map((r) => r.body).filter((body) => body.includes('Your answer could not be used'));
    expect(repairs).toHaveLength(2);
    expect(repairs[1]).toContain('\\"nobody\\" is neither a cast id nor in newCharacters');
    expect((await storedLines(id)).lines).toEqual(BAKERY_LINES);
  });

  it('cancels a job mid-request: the server sees the request abandoned and the job ends cancelled', { timeout: SLOW_TEST_MS }, async () => {
    double.setHandler((request, index) => (index === 2 ? { ...(scriptModel(request, index) as object), delayMs: 120_000 } as ReturnType<Handler> : scriptModel(request, index)));
    const id = await enqueue(playFile('cancelled.txt', BAKERY), llmFlags('openai-compatible', ['--llm-concurrency', '1']));
    const worker = startCli(['work', ...WORK_FLAGS], { databaseUrl: t.url, env: KEYS });
    await double.waitFor(() => double.requests.length === 3, 60_000);

    const cancelled = keep(await runCli(['cancel', id], { databaseUrl: t.url }));
    expect(cancelled.code, cancelled.stderr).toBe(0);
    await double.waitFor(() => double.requests[2]!.aborted, 30_000);
    const result = keep(await worker.done);
    expect(result.code).toBe(0);

    expect((await job(id)).status).toBe('cancelled');
    expect(double.requests).toHaveLength(3);
  });

  it("resumes a killed worker's job without asking again for the chunks it had finished", { timeout: SLOW_TEST_MS }, async () => {
    const finishedBeforeKill = 5;
    double.setHandler((request, index) =>
      index === finishedBeforeKill ? ({ ...(scriptModel(request, index) as object), delayMs: 120_000 } as ReturnType<Handler>) : scriptModel(request, index),
    );
    const text = week();
    const id = await enqueue(playFile('killed.txt', text), llmFlags('openai-compatible', ['--llm-concurrency', '1']));
    const first = startCli(['work', ...WORK_FLAGS], { databaseUrl: t.url, env: KEYS });
    await double.waitFor(() => double.requests.length === finishedBeforeKill + 1, 60_000);
    expect((await job(id)).completedChunks).toBe(finishedBeforeKill);
    first.child.kill('SIGKILL');
    keep(await first.done);
    await double.waitFor(() => double.requests[finishedBeforeKill]!.aborted, 30_000);

    // Another worker takes the job over once the dead worker's lease has run out.
    await until(async () => ((await job(id)).lockExpiry?.getTime() ?? 0) < Date.now() - 200, 'the lease to expire');
    double.setHandler(scriptModel);
    expect(await workUntilEnded(id)).toBe('completed');

    const done = await job(id);
    expect(done.totalChunks).toBeGreaterThan(finishedBeforeKill + 2);
    const counts = [...requestsPerChunk().values()];
    // Every chunk asked once, but the one the kill interrupted, which is asked again.
    expect(counts).toHaveLength(done.totalChunks!);
    expect(counts.filter((n) => n === 1)).toHaveLength(done.totalChunks! - 1);
    expect(counts.filter((n) => n === 2)).toHaveLength(1);
    const resumed = await t.db.jobEvent.findMany({ where: { jobId: id, event: 'resumed-from-checkpoint' } });
    expect(resumed[0]?.details).toMatchObject({ completedChunks: finishedBeforeKill });

    const uninterrupted = await runPipeline({
      text,
      filename: 'killed.txt',
      config: { parser: 'llm', chunkSize: 500, provider: 'openai-compatible', model: 'test-model', baseUrl: double.url, llmConcurrency: 1 },
      parser: createLlmParser({ env: KEYS }),
    });
    expect((await storedLines(id)).play).toEqual(uninterrupted.play);
    await expectNoKeyAnywhere();
  });

  it('hybrid: sends only the passages the rules were unsure of', { timeout: SLOW_TEST_MS }, async () => {
    double.setHandler((request, index) => {
      const question = readRegionPrompt(firstQuestion(request));
      if (question.passage.startsWith('Who lets')) return { output: { type: 'dialogue', speakers: [idOf(question, 'Mara')], label: null, newCharacters: [] } };
      return scriptModel(request, index);
    });
    const id = await enqueue(playFile('lighthouse.txt', LIGHTHOUSE), [
      '--parser', 'hybrid', '--provider', 'openai-compatible', '--model', 'test-model', '--base-url', double.url,
    ]);
    await work();

    expect((await job(id)).status).toBe('completed');
    const passages = double.requests.map((r) => {
      const body = JSON.parse(r.body) as { messages: Array<{ role: string; content: string }> };
      return readRegionPrompt(body.messages.find((m) => m.role === 'user')!.content).passage;
    });
    const uncertain = readWithRules(LIGHTHOUSE, 'lighthouse.txt').regions.map((r) => LIGHTHOUSE.slice(r.sourceStart, r.sourceEnd).trim());
    expect(uncertain).toContain('Who lets a stranger climb these stairs at night,\nAnd leaves the door below unbarred?');
    expect(passages.sort()).toEqual(uncertain.sort());
    const { lines } = await storedLines(id);
    expect(lines.find((l) => l[1]!.startsWith('Who lets'))![2]).toBe('Mara');
    expect(lines.find((l) => l[1]!.startsWith('The door was open'))![2]).toBe('Pilot');
    await expectNoKeyAnywhere();
  });
});
