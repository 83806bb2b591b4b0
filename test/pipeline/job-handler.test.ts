import { describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';
import { createParseJobHandler } from '../../src/jobs/parse-play/handler.js';
import { loadPlay } from '../../src/store/load-play.js';
import { PermanentError } from '../../src/errors.js';
import { LeaseLostError } from '../../src/worker/handler.js';
import type { PlayJobConfig as JobConfig } from '../../src/jobs/parse-play/config.js';
import type { ParsedPlay } from '../../src/parse/play.js';
import { scriptedParser, TOY_PLAY, type ScriptedParser } from './scripted-parser.js';
import { SimulatedCrash, claimed, createJob, silentLog, testContext } from './job-context.js';

const t = testDatabase('job_handler');

const config: JobConfig = { parser: 'llm', chunkSize: 60 };

function handlerWith(parser: ScriptedParser) {
  return createParseJobHandler({ log: silentLog, loadParser: async () => parser });
}

async function playbooksOf(jobId: string): Promise<string[]> {
  const job = await t.db.parseJob.findUniqueOrThrow({ where: { id: jobId } });
  expect(job.status).toBe('completed');
  return [job.playbookId!];
}

async function countPlaybooks(): Promise<number> {
  return t.db.playbook.count();
}

async function reference(cfg: JobConfig = config): Promise<{ play: ParsedPlay; chunks: number }> {
  const jobId = await createJob(t, TOY_PLAY, cfg);
  const parser = scriptedParser();
  await handlerWith(parser)(await claimed(t.db, jobId), testContext(t, jobId));
  const [playbookId] = await playbooksOf(jobId);
  return { play: (await loadPlay(t.sql, playbookId!))!, chunks: parser.calls.length };
}

describe('the parse job handler', () => {
  it('stores the play and completes the job, with a checkpoint per chunk', async () => {
    const jobId = await createJob(t, TOY_PLAY, config);
    await handlerWith(scriptedParser({ reportUsage: true }))(await claimed(t.db, jobId), testContext(t, jobId));
    const job = await t.db.parseJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(job).toMatchObject({ status: 'completed', progress: 100, completedChunks: job.totalChunks, outputTokens: 10 * job.totalChunks! });
    expect(job.checkpoints).toHaveLength(job.totalChunks!);
    expect(await loadPlay(t.sql, job.playbookId!)).toMatchObject({ title: 'The Toy Play' });
  });

  it('fills in what the text does not say from the metadata known before parsing, and keeps what it does say', async () => {
    const metadata = { title: 'The Old Title', author: 'Old Author', year: 1907, genre: 'tragedy', description: 'Kept from the old app.' };
    const untitled = TOY_PLAY.replace(/^TITLE: .*\n/m, '').replace(/^AUTHOR: .*\n/m, '');
    const bare = await createJob(t, untitled, { ...config, metadata }, { filename: 'plays/toy.txt' });
    await handlerWith(scriptedParser())(await claimed(t.db, bare), testContext(t, bare));
    const [bareId] = await playbooksOf(bare);
    expect(await loadPlay(t.sql, bareId!)).toMatchObject(metadata);

    const titled = await createJob(t, TOY_PLAY, { ...config, metadata });
    await handlerWith(scriptedParser())(await claimed(t.db, titled), testContext(t, titled));
    const [titledId] = await playbooksOf(titled);
    expect(await loadPlay(t.sql, titledId!)).toMatchObject({ title: 'The Toy Play', author: 'A. Tester', year: 1907 });
  });

  for (const llmConcurrency of [1, 2]) {
    it(`interrupted after any checkpoint (concurrency ${llmConcurrency}), ends with one play identical to an uninterrupted run`, async () => {
      const cfg = { ...config, llmConcurrency };
      const expected = await reference(cfg);
      for (let k = 0; k <= expected.chunks; k++) {
        const before = await countPlaybooks();
        const jobId = await createJob(t, TOY_PLAY, cfg);
        const first = scriptedParser();
        await expect(handlerWith(first)(await claimed(t.db, jobId), testContext(t, jobId, k < expected.chunks ? { dieAfterCheckpoints: k } : { loseLeaseAtComplete: true }))).rejects.toThrow(
          k === expected.chunks ? LeaseLostError : SimulatedCrash,
        );
        // k === chunks: every chunk was saved, and the lease was lost at the very end instead.
        expect(await countPlaybooks()).toBe(before);

        const second = scriptedParser();
        const ctx = testContext(t, jobId);
        await handlerWith(second)(await claimed(t.db, jobId, 2), ctx);
        const [playbookId] = await playbooksOf(jobId);
        expect(await countPlaybooks()).toBe(before + 1);
        expect(await loadPlay(t.sql, playbookId!)).toEqual(expected.play);
        // Saved chunks are never parsed again.
        expect(second.calls.filter((i) => first.calls.includes(i)).length).toBeLessThanOrEqual(llmConcurrency);
        expect(new Set([...first.calls, ...second.calls]).size).toBe(expected.chunks);
        expect(ctx.events.map((e) => e.name)).toEqual(k === 0 ? [] : ['resumed-from-checkpoint']);
      }
    });
  }

  it('stores nothing when the lease is lost at completion, and the next run stores the play once', async () => {
    const expected = await reference();
    const jobId = await createJob(t, TOY_PLAY, config);
    await expect(handlerWith(scriptedParser())(await claimed(t.db, jobId), testContext(t, jobId, { loseLeaseAtComplete: true }))).rejects.toThrow(LeaseLostError);
    const rerun = scriptedParser();
    await handlerWith(rerun)(await claimed(t.db, jobId, 2), testContext(t, jobId));
    expect(rerun.calls).toEqual([]);
    const [playbookId] = await playbooksOf(jobId);
    expect(await loadPlay(t.sql, playbookId!)).toEqual(expected.play);
  });

  it('starts over from a legacy session context, with a restarted event', async () => {
    const expected = await reference();
    const jobId = await createJob(t, TOY_PLAY, config);
    await t.db.parseJob.update({
      where: { id: jobId },
      data: { currentState: { characters: [{ id: 'c1', name: 'ALICE' }], currentActIndex: 0, currentSceneIndex: 1, lineIndex: 7 }, completedChunks: 3, totalChunks: 8 },
    });
    const parser = scriptedParser();
    await handlerWith(parser)(await claimed(t.db, jobId), testContext(t, jobId));
    expect(parser.calls[0]).toBe(0);
    const events = await t.db.jobEvent.findMany({ where: { jobId, event: 'restarted' } });
    expect(events).toHaveLength(1);
    expect((events[0]!.details as { reason: string }).reason).toMatch(/not in the parse pipeline format/);
    const [playbookId] = await playbooksOf(jobId);
    expect(await loadPlay(t.sql, playbookId!)).toEqual(expected.play);
  });

  it('replaces the play named by the job in the storing transaction', async () => {
    const firstJob = await createJob(t, TOY_PLAY, config);
    await handlerWith(scriptedParser())(await claimed(t.db, firstJob), testContext(t, firstJob));
    const [oldPlaybook] = await playbooksOf(firstJob);
    const before = await countPlaybooks();
    const secondJob = await createJob(t, TOY_PLAY, config, { replacesPlaybookId: oldPlaybook });
    await handlerWith(scriptedParser())(await claimed(t.db, secondJob), testContext(t, secondJob));
    expect(await countPlaybooks()).toBe(before);
    expect(await loadPlay(t.sql, oldPlaybook!)).toBeNull();
  });

  it('fails permanently, storing nothing, when the play misses what the design requires', async () => {
    const before = await countPlaybooks();
    const jobId = await createJob(t, 'TITLE: Not a play\n[Wind.]\n', config);
    const run = handlerWith(scriptedParser())(await claimed(t.db, jobId), testContext(t, jobId));
    await expect(run).rejects.toThrow(PermanentError);
    await expect(run).rejects.toThrow('no characters were found');
    expect(await countPlaybooks()).toBe(before);
  });

  it('fails permanently for a parser this version does not have', async () => {
    // A job enqueued by a newer version, with a parser this one does not know.
    const jobId = await createJob(t, TOY_PLAY, { parser: 'ocr' as JobConfig['parser'], chunkSize: 1000 });
    await expect(createParseJobHandler({ log: silentLog })(await claimed(t.db, jobId), testContext(t, jobId))).rejects.toThrow(
      'The "ocr" parser is not available in this version of playbuddy.',
    );
  });
});
