import { describe, expect, it } from 'vitest';
import { runPipeline, type PipelineHooks } from '../../src/parse/pipeline/run.js';
import { STATE_FORMAT } from '../../src/parse/pipeline/state.js';
import type { ParseConfig } from '../../src/parse/parser.js';
import type { PipelineCheckpoint as Checkpoint } from '../../src/parse/pipeline/run.js';
import { PermanentError } from '../../src/errors.js';
import { scriptedParser, TOY_PLAY } from './scripted-parser.js';

const config: ParseConfig = { parser: 'llm', chunkSize: 60 };

function recorder() {
  const checkpoints: Checkpoint[] = [];
  const events: Array<{ name: string; details: Record<string, unknown> }> = [];
  const hooks: PipelineHooks = {
    checkpoint: async (cp) => {
      // Round-trip through JSON as the database would.
      checkpoints.push(JSON.parse(JSON.stringify(cp)));
    },
    resumed: async (details) => {
      events.push({ name: 'resumed', details });
    },
    restarted: async (details) => {
      events.push({ name: 'restarted', details });
    },
  };
  return { checkpoints, events, hooks };
}

async function uninterrupted(cfg = config) {
  const r = recorder();
  const parser = scriptedParser();
  const outcome = await runPipeline({ text: TOY_PLAY, filename: 'plays/toy.txt', config: cfg, parser }, r.hooks);
  return { ...r, outcome, parser };
}

describe('the parse pipeline', () => {
  it('parses chunk by chunk, checkpointing after each with progress up to 100', async () => {
    const { outcome, checkpoints, parser } = await uninterrupted();
    expect(outcome.totalChunks).toBeGreaterThan(5);
    expect(parser.calls).toEqual([...Array(outcome.totalChunks).keys()]);
    expect(checkpoints.map((c) => c.completedChunks)).toEqual([...Array(outcome.totalChunks).keys()].map((i) => i + 1));
    expect(checkpoints.at(-1)!.progress).toBe(100);
    // Strictly increasing: the same as its distinct values in order.
    const progress = checkpoints.map((c) => c.progress);
    expect(progress).toEqual([...new Set(progress)].sort((x, y) => x - y));
    expect(checkpoints[0]!.entry).toMatchObject({ chunk: 0, group: 'front', completedChunks: 1 });
    expect((checkpoints[0]!.state as { format: string; version: number }).format).toBe(STATE_FORMAT);

    const play = outcome.play;
    expect(play.title).toBe('The Toy Play');
    expect(play.characters.map((c) => c.name)).toEqual(['ALICE', 'BOB', 'CAROL']);
    expect(play.acts.map((a) => [a.title, a.scenes.map((s) => s.title)])).toEqual([
      ['One', ['A room', 'The garden']],
      ['Two', ['The hall']],
    ]);
    // DITTO resolves through the group state carried from chunk to chunk.
    const room = play.acts[0]!.scenes[0]!.lines;
    expect(room.map((l) => l.characters)).toEqual([['ALICE', 'BOB'], ['ALICE'], ['BOB'], ['BOB'], ['ALICE', 'BOB']]);
    expect(room[1]).toEqual({ type: 'dialogue', text: 'Good morning, Bob.\nHow the sun shines.\nDoes it not?', characters: ['ALICE'], indentLevel: 1, preserveLineBreaks: true });
  });

  it('resumed from the state of any checkpoint, produces the same play and parses only the rest', async () => {
    const reference = await uninterrupted();
    for (const [k, cp] of reference.checkpoints.entries()) {
      const r = recorder();
      const parser = scriptedParser();
      const outcome = await runPipeline({ text: TOY_PLAY, filename: 'plays/toy.txt', config, parser, savedState: cp.state }, r.hooks);
      expect(outcome.play).toEqual(reference.outcome.play);
      expect(parser.calls).toEqual(reference.parser.calls.slice(k + 1));
      expect(r.checkpoints.map((c) => c.completedChunks)[0] ?? reference.outcome.totalChunks).toBe(Math.min(k + 2, reference.outcome.totalChunks));
      expect(r.events.map((e) => e.name)).toEqual(['resumed']);
    }
  });

  it('runs groups concurrently up to llmConcurrency, with the same result as one at a time', async () => {
    const reference = await uninterrupted();
    const parser = scriptedParser({ beforeChunk: () => new Promise((resolve) => setTimeout(resolve, 5)) });
    const r = recorder();
    const outcome = await runPipeline({ text: TOY_PLAY, filename: 'plays/toy.txt', config: { ...config, llmConcurrency: 3 }, parser }, r.hooks);
    expect(outcome.play).toEqual(reference.outcome.play);
    expect(parser.maxInFlight).toBeGreaterThan(1);
    expect(parser.maxInFlight).toBeLessThanOrEqual(3);
    expect(r.checkpoints.map((c) => c.completedChunks)).toEqual([...Array(outcome.totalChunks).keys()].map((i) => i + 1));

    // Every concurrent checkpoint is resumable to the same play.
    for (const cp of r.checkpoints) {
      const again = await runPipeline({ text: TOY_PLAY, filename: 'plays/toy.txt', config: { ...config, llmConcurrency: 3 }, parser: scriptedParser(), savedState: cp.state });
      expect(again.play).toEqual(reference.outcome.play);
    }
  });

  it('starts over, with a restarted event, from a state it cannot read', async () => {
    const reference = await uninterrupted();
    const good = reference.checkpoints[2]!.state as Record<string, unknown>;
    const unreadable: Array<[unknown, RegExp]> = [
      [{ currentActIndex: 1, currentSceneIndex: 0, characters: ['HAMLET'], chunkIndex: 4 }, /legacy parsing session/],
      ['{"format": "playbuddy/parse-st', /not valid JSON/],
      [{ ...good, version: 0 }, /format version 0/],
      [{ ...good, results: 'lost' }, /damaged/],
      [{ ...good, parser: 'rules' }, /rules parser/],
      [{ ...good, groups: {} }, /inconsistent/],
      [reference.checkpoints[2]!.state, /different chunks/],
    ];
    for (const [saved, reason] of unreadable) {
      const r = recorder();
      const parser = scriptedParser();
      const cfg = reason.source === 'different chunks' ? { ...config, chunkSize: 200 } : config;
      const outcome = await runPipeline({ text: TOY_PLAY, filename: 'plays/toy.txt', config: cfg, parser, savedState: saved }, r.hooks);
      expect(r.events).toHaveLength(1);
      expect(r.events[0]!.name).toBe('restarted');
      expect(r.events[0]!.details.reason).toMatch(reason);
      expect(parser.calls[0]).toBe(0);
      expect(outcome.play).toEqual(reference.outcome.play);
    }
  });

  it('stops every group at the first failure and throws it, after the checkpoints already made', async () => {
    const failure = new Error('model unavailable');
    const parser = scriptedParser({
      beforeChunk: async (chunk, signal) => {
        if (chunk.index === 4) throw failure;
        await new Promise((resolve) => setTimeout(resolve, 5));
        signal.throwIfAborted();
      },
    });
    const r = recorder();
    await expect(runPipeline({ text: TOY_PLAY, filename: 'toy.txt', config: { ...config, llmConcurrency: 2 }, parser }, r.hooks)).rejects.toBe(failure);
    expect(r.checkpoints.map((c) => c.entry.chunk)).not.toContain(4);
  });

  it('stops when the job is aborted, before the next chunk', async () => {
    const controller = new AbortController();
    const parser = scriptedParser({ beforeChunk: (chunk) => (chunk.index === 1 ? controller.abort(new Error('paused')) : undefined) });
    await expect(runPipeline({ text: TOY_PLAY, filename: 'toy.txt', config, parser }, { signal: controller.signal })).rejects.toThrow('paused');
    expect(parser.calls).toEqual([0, 1]);
  });

  it('reports usage as it is spent and sums it into the chunk entry', async () => {
    const usage: number[] = [];
    const r = recorder();
    await runPipeline(
      { text: TOY_PLAY, filename: 'toy.txt', config, parser: scriptedParser({ reportUsage: true }) },
      { ...r.hooks, usage: async (u) => void usage.push(u.inputTokens) },
    );
    expect(usage).toHaveLength(r.checkpoints.length);
    expect(r.checkpoints[0]!.entry).toMatchObject({ inputTokens: usage[0], outputTokens: 10 });
  });
});

describe('play validation', () => {
  const run = (text: string, filename = 'dir/The Small Play.txt') =>
    runPipeline({ text, filename, config: { parser: 'llm', chunkSize: 1000 }, parser: scriptedParser() });

  it('falls back to the file name for a title and gives a play without markers one act and scene', async () => {
    const { play } = await run('ALICE: Hello.\nBOB: Hi.\n');
    expect(play.title).toBe('The Small Play');
    expect(play.acts).toEqual([{ title: 'Act 1', scenes: [{ title: 'Scene 1', lines: expect.any(Array) }] }]);
  });

  it('fails with what is missing', async () => {
    await expect(run('TITLE: Nothing here\n[Silence.]\n')).rejects.toThrow(PermanentError);
    await expect(run('TITLE: Nothing here\n[Silence.]\n')).rejects.toThrow('The parsed play is not usable: no characters were found.');
    await expect(run('TITLE: Empty\n')).rejects.toThrow('no characters were found; no lines were found');
  });

  it('resolves aliases, merges duplicate characters, drops unknown names from directions, refuses unknown speakers', async () => {
    const { finishPlay } = await import('../../src/parse/pipeline/validate.js');
    const base = {
      title: ' T ',
      author: 'A',
      characters: [
        { name: 'HAMLET', aliases: ['Ham.'] },
        { name: 'HAMLET', aliases: ['Hamlet', 'Ham.'], description: 'the prince' },
        { name: 'HORATIO', aliases: [] },
      ],
      acts: [
        {
          title: 'I',
          scenes: [
            {
              title: 'i',
              lines: [
                { type: 'dialogue', text: 'x', characters: ['Ham.', 'horatio', 'HAMLET'] },
                { type: 'stage_direction', text: 'Enter Ghost', characters: ['GHOST', 'Hamlet'] },
              ],
            },
          ],
        },
      ],
    };
    const { play, repairs } = finishPlay(base, 'h.txt');
    expect(play.title).toBe('T');
    expect(play.characters).toEqual([
      { name: 'HAMLET', aliases: ['Ham.', 'Hamlet'], description: 'the prince' },
      { name: 'HORATIO', aliases: [], description: null },
    ]);
    expect(play.acts[0]!.scenes[0]!.lines.map((l) => l.characters)).toEqual([['HAMLET', 'HORATIO'], ['HAMLET']]);
    expect(repairs).toEqual(['merged the duplicate character "HAMLET"', 'dropped "GHOST" from a stage direction (act 1, scene 1, line 2): not in the cast']);

    const unknown = structuredClone(base);
    unknown.acts[0]!.scenes[0]!.lines.push({ type: 'dialogue', text: 'y', characters: ['OSRIC'] }, { type: 'dialogue', text: 'z', characters: [] });
    expect(() => finishPlay(unknown, 'h.txt')).toThrow(
      'The parsed play is not usable: 1 dialogue line has no speaker (first at act 1, scene 1, line 4); speakers missing from the cast: "OSRIC".',
    );
    expect(() => finishPlay({ title: 'x' }, 'h.txt')).toThrow(/wrong shape \(author: /);
  });
});
