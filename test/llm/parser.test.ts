import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.js';
import type { ParseConfig } from '../../src/parse/parser.js';
import { parsedPlaySchema } from '../../src/parse/play.js';
import { createLlmParser } from '../../src/parse/llm/parser.js';
import { planChunks, planGroups } from '../../src/llm/plan.js';
import { recordingRun, runParser } from '../doubles/chunk-run.js';
import { startLlmDouble, type LlmDouble } from '../doubles/llm-server.js';
import { parseChunkPrompt } from '../doubles/rule-model.js';
import { rejectionOf } from '../helpers/wait.js';

const PLAY = `The Baker's Morning
by Ann Author

CHARACTERS
ALICE, a baker
BOB, her brother
CAROL, a customer

ACT I
=====

SCENE 1

[A bakery at dawn.]

ALICE. The ovens are warm at last.

BOB. And the bread?

ALICE. Rising, like you
should be.

[Enter Carol.]

CAROL. Is it open yet?

ALICE AND BOB. Not yet!

SCENE 2

BOB. She will come back.

ALICE. They always do.

ACT II

SCENE 1

[Noon. Enter Dave.]

DAVE. One loaf, please.

CAROL. I was first.

ALICE. There is enough for everyone.
`;

const KEYS = { ANTHROPIC_API_KEY: 'sk-ant-test-77aa1d0c9e3b', OPENAI_API_KEY: 'sk-test-openai-0b9e3f2a7c', PLAYBUDDY_LLM_API_KEY: 'local-2d4f6a8c0e1b' };

let double: LlmDouble;

beforeEach(async () => {
  double = await startLlmDouble();
});

afterEach(async () => {
  await double.close();
});

function config(overrides: Partial<ParseConfig> = {}): ParseConfig {
  return { parser: 'llm', chunkSize: 80, provider: 'anthropic', model: 'claude-sonnet-4-5', baseUrl: double.url, ...overrides };
}

const EXPECTED_ACTS = [
  {
    title: 'ACT I',
    scenes: [
      {
        title: 'SCENE 1',
        lines: [
          { type: 'stage_direction', text: 'A bakery at dawn.', characters: [] },
          { type: 'dialogue', text: 'The ovens are warm at last.', characters: ['Alice'] },
          { type: 'dialogue', text: 'And the bread?', characters: ['Bob'] },
          { type: 'dialogue', text: 'Rising, like you should be.', characters: ['Alice'] },
          { type: 'stage_direction', text: 'Enter Carol.', characters: [] },
          { type: 'dialogue', text: 'Is it open yet?', characters: ['Carol'] },
          { type: 'dialogue', text: 'Not yet!', characters: ['Alice', 'Bob'] },
        ],
      },
      {
        title: 'SCENE 2',
        lines: [
          { type: 'dialogue', text: 'She will come back.', characters: ['Bob'] },
          { type: 'dialogue', text: 'They always do.', characters: ['Alice'] },
        ],
      },
    ],
  },
  {
    title: 'ACT II',
    scenes: [
      {
        title: 'SCENE 1',
        lines: [
          { type: 'stage_direction', text: 'Noon. Enter Dave.', characters: [] },
          { type: 'dialogue', text: 'One loaf, please.', characters: ['Dave'] },
          { type: 'dialogue', text: 'I was first.', characters: ['Carol'] },
          { type: 'dialogue', text: 'There is enough for everyone.', characters: ['Alice'] },
        ],
      },
    ],
  },
];

describe('llm parser plan', () => {
  it('makes a group of the front matter and of each scene, an act heading joining its first scene', () => {
    const groups = planGroups(PLAY);
    expect(groups.map((g) => PLAY.slice(g.start, g.end).split('\n')[0])).toEqual(["The Baker's Morning", 'ACT I', 'SCENE 2', 'ACT II']);
  });

  it('covers the text with chunks cut at blank lines, no longer than the chunk size unless one paragraph is', () => {
    const chunks = planChunks(PLAY, 80);
    expect(chunks[0]!.start).toBe(0);
    expect(chunks.at(-1)!.end).toBe(PLAY.length);
    chunks.forEach((chunk, i) => {
      expect(chunk.index).toBe(i);
      if (i > 0) expect(chunk.start).toBe(chunks[i - 1]!.end);
      if (chunk.start > 0) expect(PLAY.slice(chunk.start - 2, chunk.start)).toBe('\n\n');
    });
    // A chunk longer than the target is one paragraph that could not be cut.
    expect(chunks.filter((c) => c.end - c.start > 80 && PLAY.slice(c.start, c.end).trim().includes('\n\n'))).toEqual([]);
    expect(new Set(chunks.map((c) => c.group)).size).toBe(4);
    expect(chunks.length).toBeGreaterThan(6);
  });

  it('cuts CRLF texts and French and German headings too', () => {
    const text = 'ACTE I\r\n\r\nSCÈNE PREMIÈRE. Hippolyte, Théramène.\r\n\r\nHIPPOLYTE.\r\nLe dessein en est pris.\r\n\r\nSCÈNE II. Hippolyte, Oenone.\r\n\r\nOENONE.\r\nHélas!\r\n\r\nZweiter Aufzug\r\n\r\nErster Auftritt\r\n\r\nMARINELLI. Ja.\r\n';
    expect(planGroups(text).map((g) => text.slice(g.start, g.end).split('\r\n')[0])).toEqual(['ACTE I', 'SCÈNE II. Hippolyte, Oenone.', 'Zweiter Aufzug']);
    expect(planChunks(text, 10).filter((c) => c.start > 0 && text.slice(c.start - 4, c.start) !== '\r\n\r\n')).toEqual([]);
  });

  it('starts each group with the act it is in', () => {
    const parser = createLlmParser({ env: KEYS });
    const states = planGroups(PLAY).map((g) => parser.initialGroupState(PLAY, config(), g.name));
    expect(states.map((s) => [s.beforeFirstHeading, s.act])).toEqual([
      [true, null],
      [false, null],
      [false, 'ACT I'],
      [false, 'ACT I'],
    ]);
  });
});

describe.each([
  ['anthropic', 'claude-sonnet-4-5', '/v1/messages'],
  ['openai', 'gpt-4.1', '/v1/responses'],
  ['openai-compatible', 'llama3.1', '/v1/chat/completions'],
] as const)('llm parser over %s (%s)', (provider, model, path) => {
  it('parses every chunk and assembles the play, reconciling characters met in different scenes', async () => {
    const parser = createLlmParser({ env: KEYS, timeoutMs: 5_000 });
    const run = recordingRun();

    const { chunks, results, play } = await runParser(parser, PLAY, config({ provider, model }), run, 'bakers-morning.txt');

    expect(parsedPlaySchema.parse(play)).toEqual(play);
    expect(play.title).toBe("The Baker's Morning");
    expect(play.author).toBe('Ann Author');
    expect(play.characters).toEqual([
      { name: 'Alice', aliases: [], description: 'a baker' },
      { name: 'Bob', aliases: [], description: 'her brother' },
      { name: 'Carol', aliases: [], description: 'a customer' },
      { name: 'Dave', aliases: [], description: null },
    ]);
    expect(play.acts).toEqual(EXPECTED_ACTS);
    expect(double.requests).toHaveLength(chunks.length);
    expect(new Set(double.requests.map((r) => r.path))).toEqual(new Set([path]));
    expect(run.usages).toHaveLength(chunks.length);
    expect(run.usages.filter((u) => !(u.inputTokens > 0 && u.outputTokens > 0))).toEqual([]);
    const key = provider === 'anthropic' ? KEYS.ANTHROPIC_API_KEY : provider === 'openai' ? KEYS.OPENAI_API_KEY : KEYS.PLAYBUDDY_LLM_API_KEY;
    const keyHeader = provider === 'anthropic' ? 'x-api-key' : 'authorization';
    for (const request of double.requests) {
      const { [keyHeader]: sent, ...otherHeaders } = request.headers;
      expect(String(sent)).toContain(key);
      expect(JSON.stringify(otherHeaders) + request.body + request.path).not.toContain(key);
    }
    expect(JSON.stringify({ results, play, usages: run.usages })).not.toContain(key);
  });
});

describe('llm parser calls', () => {
  it('prompts each chunk with the cast, act, scene and last lines of its group, not the play so far', async () => {
    const parser = createLlmParser({ env: KEYS });
    const prompts: string[] = [];
    double.setHandler((request) => {
      prompts.push(request.prompt);
      return { output: parseChunkPrompt(request.prompt) };
    });

    await runParser(parser, PLAY, config({ chunkSize: 60 }), recordingRun());

    const late = prompts.find((p) => p.includes('Is it open yet?'))!;
    expect(late).toMatch(/^alice = Alice$/m);
    expect(late).toMatch(/^bob = Bob$/m);
    expect(late).toContain('Current act: ACT I\nCurrent scene: SCENE 1');
    expect(late).toContain('[alice] Rising, like you should be.');
    expect(late).not.toContain('A bakery at dawn');
    expect(late).not.toContain('They always do');
    expect(prompts.filter((p) => p.includes('No act or scene heading has come yet'))).toHaveLength(2);
  });

  it('reports every call with its estimated cost', async () => {
    double.setHandler((request) => ({ output: parseChunkPrompt(request.prompt), usage: { inputTokens: 1_000, outputTokens: 200 } }));
    const run = recordingRun();

    await runParser(createLlmParser({ env: KEYS }), PLAY, config(), run);

    expect(run.usages.length).toBeGreaterThan(0);
    for (const usage of run.usages) expect(usage).toEqual({ inputTokens: 1_000, outputTokens: 200, costUsd: 0.006 });
  });

  it('sends a reference to nobody back to the model, then maps the new character it adds', async () => {
    const text = 'ACT I\n\nSCENE 1\n\nMAN. Who goes there?\n';
    double.setHandler((request, index) => {
      const output = parseChunkPrompt(request.messages[0]!.text);
      if (index === 0) return { output: { ...output, newCharacters: [] } };
      return { output };
    });
    const parser = createLlmParser({ env: KEYS });

    const { play } = await runParser(parser, text, config({ chunkSize: 1_000 }), recordingRun());

    expect(double.requests).toHaveLength(2);
    expect(double.requests[1]!.body).toContain('is neither a cast id nor in newCharacters');
    expect(play.acts[0]!.scenes[0]!.lines).toEqual([{ type: 'dialogue', text: 'Who goes there?', characters: ['Man'] }]);
  });

  it('stops with a PermanentError before a call that would exceed --max-cost, asking nothing', async () => {
    const parser = createLlmParser({ env: KEYS });
    const chunks = parser.plan(PLAY, config());
    const state = parser.initialGroupState(PLAY, config(), chunks[1]!.group);

    const err = await rejectionOf(parser.parseChunk(PLAY, chunks[1]!, state, config({ maxCostUsd: 0.5 }), recordingRun(undefined, 0.4999)));

    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/would exceed --max-cost \$0\.5/);
    expect(double.requests).toHaveLength(0);
    await expect(parser.parseChunk(PLAY, chunks[1]!, state, config({ maxCostUsd: 0.5 }), recordingRun(undefined, 0.1))).resolves.toBeDefined();
  });

  it('refuses --max-cost for a model without a known price', async () => {
    const parser = createLlmParser({ env: KEYS });
    const chunk = parser.plan(PLAY, config())[0]!;
    const cfg = config({ provider: 'openai-compatible', model: 'llama3.1', maxCostUsd: 1 });

    const err = await rejectionOf(parser.parseChunk(PLAY, chunk, parser.initialGroupState(PLAY, cfg, chunk.group), cfg, recordingRun()));

    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/no price is known for openai-compatible\/llama3.1; add it to PLAYBUDDY_LLM_PRICES/);
  });

  it('fails a chunk at once when the worker has no key, naming the variable', async () => {
    const parser = createLlmParser({ env: {} });
    const chunk = parser.plan(PLAY, config())[0]!;

    const err = await rejectionOf(parser.parseChunk(PLAY, chunk, parser.initialGroupState(PLAY, config(), chunk.group), config(), recordingRun()));

    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toContain('ANTHROPIC_API_KEY');
    expect(double.requests).toHaveLength(0);
  });

  it('aborts the chunk in flight when the job is cancelled', async () => {
    double.setHandler((request) => ({ output: parseChunkPrompt(request.prompt), delayMs: 5_000 }));
    const parser = createLlmParser({ env: KEYS });
    const chunk = parser.plan(PLAY, config())[1]!;
    const job = new AbortController();

    const pending = parser.parseChunk(PLAY, chunk, parser.initialGroupState(PLAY, config(), chunk.group), config(), recordingRun(job.signal));
    await double.waitFor(() => double.requests.length === 1);
    job.abort();

    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await double.waitFor(() => double.requests[0]!.aborted);
  });

  it('keeps the AI SDK out of the modules the CLI loads at start-up', () => {
    const files = ['parse/llm/parser', ...['providers', 'pricing', 'limiter', 'plan', 'prompt', 'chunk-schema', 'chunk-state', 'assemble', 'cast', 'redact'].map((f) => `llm/${f}`)];
    for (const file of files) {
      const source = readFileSync(new URL(`../../src/${file}.ts`, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/^import (?!type )[^;]*from '(ai|@ai-sdk\/[^']+)'/m);
    }
  });
});
