import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransientError } from '../../src/errors.js';
import { applyAnswers } from '../../src/parse/hybrid/apply.js';
import type { CallRetryPolicy } from '../../src/llm/call.js';
import { createHybridParser } from '../../src/parse/hybrid/parser.js';
import { locatePassage, readWithRules, type RulesReading } from '../../src/parse/hybrid/regions.js';
import type { ParseConfig, TokenUsage } from '../../src/parse/parser.js';
import { runPipeline } from '../../src/parse/pipeline/run.js';
import { finishPlay } from '../../src/parse/pipeline/validate.js';
import type { ParsedPlay } from '../../src/parse/play.js';
import type { Checkpoint } from '../../src/worker/handler.js';
import { startLlmDouble, type Handler, type LlmDouble } from '../doubles/llm-server.js';
import { firstQuestion, idOf, readRegionPrompt, regionModel } from '../doubles/region-model.js';

const AMBIGUOUS = readFileSync(new URL('./fixtures/lighthouse.txt', import.meta.url), 'utf8');
const PLAIN = readFileSync(new URL('./fixtures/lighthouse-plain.txt', import.meta.url), 'utf8');
const ENV = { PLAYBUDDY_LLM_API_KEY: 'local-5e7a9c1b3d2f' };

const SPEAKER_OF: Record<string, string> = { 'Who lets a stranger': 'Mara', 'My boat is on the rocks': 'Pilot' };

/** Answers like a careful reader: the speeches after the entrances are Mara's and the Pilot's. */
const reader: Handler = (request) => {
  const question = readRegionPrompt(firstQuestion(request));
  const opening = Object.keys(SPEAKER_OF).find((start) => question.passage.startsWith(start));
  if (!opening) return regionModel(request);
  return { output: { type: 'dialogue', speakers: [idOf(question, SPEAKER_OF[opening]!)], label: null, newCharacters: [] } };
};

let double: LlmDouble;

beforeEach(async () => {
  double = await startLlmDouble(reader);
});

afterEach(async () => {
  await double.close();
});

function config(overrides: Partial<ParseConfig> = {}): ParseConfig {
  return { parser: 'hybrid', chunkSize: 12_000, provider: 'openai-compatible', model: 'test-model', baseUrl: double.url, llmConcurrency: 4, ...overrides };
}

function rulesPlay(text: string): ParsedPlay {
  return finishPlay(readWithRules(text, 'lighthouse.txt').rules.play, 'lighthouse.txt').play;
}

function passagesAsked(): string[] {
  return double.requests.map((r) => {
    const body = JSON.parse(r.body) as { messages: Array<{ role: string; content: string }> };
    return readRegionPrompt(body.messages.find((m) => m.role === 'user')!.content).passage;
  });
}

async function parse(text: string, overrides: Partial<ParseConfig> = {}, savedState?: unknown, retry?: CallRetryPolicy) {
  const checkpoints: Checkpoint[] = [];
  const usage: TokenUsage[] = [];
  const outcome = await runPipeline(
    { text, filename: 'lighthouse.txt', config: config(overrides), parser: createHybridParser({ env: ENV, retry }), savedState },
    {
      checkpoint: async (cp) => void checkpoints.push(JSON.parse(JSON.stringify(cp)) as Checkpoint),
      usage: async (u) => void usage.push(u),
    },
  ).catch((err: unknown) => ({ failed: err }));
  return { outcome, checkpoints, usage };
}

function played<T extends object>(outcome: T | { failed: unknown }): T {
  if ('failed' in outcome) throw outcome.failed;
  return outcome;
}

describe('hybrid parser', () => {
  it('asks only about the passages the rules were unsure of, and changes only those lines', async () => {
    const { outcome, usage } = await parse(AMBIGUOUS);
    const { play, totalChunks } = played(outcome);

    expect(totalChunks).toBe(4);
    expect(passagesAsked().sort()).toEqual([
      'A lamp room at night.',
      'Morning.',
      'My boat is on the rocks,\nAnd all my nets are lost.',
      'Who lets a stranger climb these stairs at night,\nAnd leaves the door below unbarred?',
    ]);
    // Far from every uncertain passage: no prompt carries it.
    for (const request of double.requests) expect(request.body).not.toContain('Go well');
    expect(usage.reduce((n, u) => n + u.inputTokens + u.outputTokens, 0)).toBeGreaterThan(0);

    const expected = rulesPlay(AMBIGUOUS);
    const scene = expected.acts[0]!.scenes[0]!.lines;
    expect(scene[6]).toMatchObject({ text: expect.stringMatching(/^Who lets/), characters: ['Tom'] });
    expect(scene[11]).toMatchObject({ text: expect.stringMatching(/^My boat/), characters: ['Mara'] });
    scene[6]!.characters = ['Mara'];
    scene[11]!.characters = ['Pilot'];
    expect(play).toEqual(expected);
  });

  it('makes no model call at all when the rules are sure of everything', async () => {
    const { outcome } = await parse(PLAIN);
    expect(double.requests).toHaveLength(0);
    expect(played(outcome).play).toEqual(rulesPlay(PLAIN));
  });

  it("keeps the rules' reading of a passage whose answers stay unusable after the repair round", async () => {
    double.setHandler((request) => {
      const question = readRegionPrompt(firstQuestion(request));
      if (question.passage.startsWith('Who lets')) return { output: { type: 'dialogue', speakers: ['nobody'], label: null, newCharacters: [] } };
      if (question.passage.startsWith('My boat')) return { output: { type: 'dialogue', speakers: [idOf(question, 'Pilot')], label: 'PILOT', newCharacters: [] } };
      return reader(request, 0);
    });
    const { play } = played((await parse(AMBIGUOUS)).outcome);

    // Two rounds for each bad answer (a speaker nobody knows; a label the passage does not begin with).
    expect(passagesAsked().filter((p) => p.startsWith('Who lets'))).toHaveLength(2);
    expect(passagesAsked().filter((p) => p.startsWith('My boat'))).toHaveLength(2);
    expect(play).toEqual(rulesPlay(AMBIGUOUS));
  });

  it('resumes after a failure without asking again about the passages already answered', async () => {
    const reference = played((await parse(AMBIGUOUS, { llmConcurrency: 1 })).outcome).play;
    const referenceRequests = double.requests.length;

    double.setHandler((request, index) => (index === referenceRequests + 2 ? { status: 503, message: 'overloaded' } : reader(request, index)));
    // One try per request, so the 503 fails the run instead of being sent again.
    const first = await parse(AMBIGUOUS, { llmConcurrency: 1 }, undefined, { tries: 1, baseMs: 0, capMs: 0 });
    expect('failed' in first.outcome && first.outcome.failed).toBeInstanceOf(TransientError);
    expect(first.checkpoints.map((c) => c.completedChunks)).toEqual([1, 2]);
    const answeredFirst = passagesAsked().slice(referenceRequests, referenceRequests + 2);

    double.setHandler(reader);
    const askedBefore = double.requests.length;
    const second = await parse(AMBIGUOUS, { llmConcurrency: 1 }, first.checkpoints.at(-1)!.state);
    expect(played(second.outcome).play).toEqual(reference);
    const askedAfterResume = passagesAsked().slice(askedBefore);
    expect(askedAfterResume).toHaveLength(2);
    for (const passage of answeredFirst) expect(askedAfterResume).not.toContain(passage);
  });

  it('goes through each wire protocol', async () => {
    const keys = { ...ENV, ANTHROPIC_API_KEY: 'sk-ant-hybrid-4c6e8a0b2d', OPENAI_API_KEY: 'sk-hybrid-openai-9d7b5f3a1c' };
    for (const provider of ['anthropic', 'openai'] as const) {
      const outcome = await runPipeline({
        text: AMBIGUOUS,
        filename: 'lighthouse.txt',
        config: config({ provider, model: provider === 'anthropic' ? 'claude-sonnet-4-5' : 'gpt-4.1' }),
        parser: createHybridParser({ env: keys }),
      });
      expect(outcome.play.acts[0]!.scenes[0]!.lines[11]!.characters).toEqual(['Pilot']);
    }
    expect(new Set(double.requests.map((r) => r.path))).toEqual(new Set(['/v1/messages', '/v1/responses']));
  });
});

describe('applying answers', () => {
  // A speech the rules ran on into a label they did not know: "MAN." opens a speech of its own.
  const reading: RulesReading = {
    rules: {
      play: {
        title: 'T',
        author: '',
        characters: [
          { name: 'Mara', aliases: [] },
          { name: 'Pilot', aliases: ['PILOT'] },
        ],
        acts: [{ title: 'ACT I', scenes: [{ title: 'SCENE 1', lines: [
          { type: 'dialogue', text: 'Sit by the stove.', characters: ['Mara'] },
          { type: 'dialogue', text: 'Then sit.\nMAN. My boat is lost.', characters: ['Mara'], preserveLineBreaks: true },
        ] }] }],
      },
      diagnostics: { uncertain: [] },
    },
    regions: [{ actIndex: 0, sceneIndex: 0, lineIndex: 1, lineOffset: 'Then sit.\n'.length, kinds: ['unknown-label'], sourceStart: 40, sourceEnd: 61 }],
  };

  it('splits the uncertain end off the line, takes the label out and adds a new speaker', () => {
    const play = applyAnswers(reading, [
      { answer: { type: 'dialogue', speakers: ['man'], label: 'MAN', newCharacters: [{ id: 'man', name: 'Man', aliases: ['MAN'] }] } },
    ]);
    expect(play.acts[0]!.scenes[0]!.lines).toEqual([
      { type: 'dialogue', text: 'Sit by the stove.', characters: ['Mara'] },
      { type: 'dialogue', text: 'Then sit.', characters: ['Mara'], preserveLineBreaks: true },
      { type: 'dialogue', text: 'My boat is lost.', characters: ['Man'], preserveLineBreaks: true },
    ]);
    expect(play.characters.map((c) => c.name)).toEqual(['Mara', 'Pilot', 'Man']);
    expect(reading.rules.play.acts[0]!.scenes[0]!.lines).toHaveLength(2);
  });

  it('recognises a "new" character the play already has, and leaves lines alone without an answer', () => {
    const play = applyAnswers(reading, [
      { answer: { type: 'dialogue', speakers: ['p'], label: 'MAN', newCharacters: [{ id: 'p', name: 'The Pilot', aliases: [] }] } },
    ]);
    expect(play.acts[0]!.scenes[0]!.lines.at(-1)).toMatchObject({ text: 'My boat is lost.', characters: ['Pilot'] });
    expect(play.characters).toHaveLength(2);
    expect(applyAnswers(reading, [{ answer: null }])).toEqual(reading.rules.play);
  });
});

describe('finding an uncertain passage', () => {
  const play: ParsedPlay = {
    title: 'T',
    author: '',
    characters: [{ name: 'Alice', aliases: [] }],
    acts: [{ title: 'ACT I', scenes: [
      { title: 'SCENE 1', lines: [
        { type: 'dialogue', text: 'Hello there.', characters: ['Alice'] },
        { type: 'dialogue', text: 'Go on.\nSTRANGER. Halt there, who goes by night?', characters: ['Alice'] },
      ] },
      { title: 'SCENE 2', lines: [{ type: 'stage_direction', text: 'Morning.', characters: [] }] },
    ] }],
  };

  it('looks back into the previous scene for a paragraph the rules ran on into a speech', () => {
    const passage = 'STRANGER. Halt there,\n  who goes by night?';
    expect(locatePassage(play, { actIndex: 0, sceneIndex: 1, lineIndex: 0 }, passage)).toEqual({
      actIndex: 0, sceneIndex: 0, lineIndex: 1, lineOffset: 'Go on.\n'.length,
    });
  });

  it('finds a passage whose label the rules took off, and gives up on one that is nowhere near', () => {
    const labelless: ParsedPlay = structuredClone(play);
    labelless.acts[0]!.scenes[0]!.lines[0]!.text = 'Hello there, and welcome to the lighthouse of the north.';
    expect(locatePassage(labelless, { actIndex: 0, sceneIndex: 0, lineIndex: 0 }, 'ALICE. Hello there, and welcome to the lighthouse')).toMatchObject({ lineIndex: 0, lineOffset: 0 });
    expect(locatePassage(play, { actIndex: 0, sceneIndex: 0, lineIndex: 0 }, 'Words the play does not have.')).toBeUndefined();
  });
});
