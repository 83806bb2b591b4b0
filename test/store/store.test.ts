import { beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';
import type pg from 'pg';
import { storePlay } from '../../src/store/store-play.js';
import { loadPlay } from '../../src/store/load-play.js';
import { deletePlay, listPlays, resolvePlay } from '../../src/store/plays.js';
import { runPipeline } from '../../src/parse/pipeline/run.js';
import type { ParsedPlay } from '../../src/parse/play.js';
import { scriptedParser, TOY_PLAY } from '../pipeline/scripted-parser.js';
import { createJob } from '../pipeline/job-context.js';

const t = testDatabase('store');
let toy: ParsedPlay;
beforeAll(async () => {
  toy = (await runPipeline({ text: TOY_PLAY, filename: 'toy.txt', config: { parser: 'llm', chunkSize: 80 }, parser: scriptedParser() })).play;
});

/** Runs `fn` in a transaction on one connection, as the worker's completion does. */
async function inTransaction<T>(fn: (tx: pg.ClientBase) => Promise<T>): Promise<T> {
  const client = await t.sql.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

const store = (play: ParsedPlay, replacesPlaybookId?: string) => inTransaction((tx) => storePlay(tx, play, { replacesPlaybookId }));

async function tableCounts() {
  const [row] = await t.db.$queryRaw<Array<Record<string, number>>>`
    SELECT (SELECT count(*) FROM "Playbook")::int AS playbooks, (SELECT count(*) FROM "Character")::int AS characters,
           (SELECT count(*) FROM "Act")::int AS acts, (SELECT count(*) FROM "Scene")::int AS scenes,
           (SELECT count(*) FROM "Line")::int AS lines, (SELECT count(*) FROM "LineCharacter")::int AS links`;
  return row!;
}

/** A transaction client that counts its statements and can fail the n-th one. */
function instrumented(tx: pg.ClientBase, failAt?: number) {
  let n = 0;
  const client = {
    query: (text: string, values?: unknown[]) => {
      n += 1;
      if (n === failAt) return Promise.reject(new Error(`statement ${n} failed`));
      return tx.query(text, values);
    },
  } as pg.ClientBase;
  return { client, statements: () => n };
}

describe('storing a play', () => {
  it('round-trips: the loaded play equals the parsed one', async () => {
    const stored = await store(toy);
    const lines = toy.acts.flatMap((a) => a.scenes.flatMap((s) => s.lines));
    expect(stored).toMatchObject({ characters: 3, acts: 2, scenes: 3, lines: lines.length, links: lines.reduce((n, l) => n + l.characters.length, 0), replaced: false });
    expect(await loadPlay(t.sql, stored.playbookId)).toEqual(toy);
  });

  it('counts orders from 0 within each parent and links every speaker in order', async () => {
    const { playbookId } = await store(toy);
    const gaps = await t.db.$queryRaw<Array<{ level: string }>>`
      WITH acts AS (SELECT id, "order", row_number() OVER (ORDER BY "order") - 1 AS want FROM "Act" WHERE "playbookId" = ${playbookId}),
           scenes AS (SELECT s.id, s."order", row_number() OVER (PARTITION BY s."actId" ORDER BY s."order") - 1 AS want
                      FROM "Scene" s JOIN acts a ON a.id = s."actId"),
           lines AS (SELECT l."order", row_number() OVER (PARTITION BY l."sceneId" ORDER BY l."order") - 1 AS want
                     FROM "Line" l JOIN scenes s ON s.id = l."sceneId")
      SELECT 'act' AS level FROM acts WHERE "order" <> want
      UNION ALL SELECT 'scene' FROM scenes WHERE "order" <> want
      UNION ALL SELECT 'line' FROM lines WHERE "order" <> want`;
    expect(gaps).toEqual([]);
    const together = await t.db.$queryRaw<Array<{ name: string; order: number; type: string }>>`
      SELECT c.name, lc."order", l.type::text AS type FROM "LineCharacter" lc
      JOIN "Line" l ON l.id = lc."lineId" JOIN "Character" c ON c.id = lc."characterId"
      WHERE c."playbookId" = ${playbookId} AND l.text = 'We agree!' ORDER BY lc."order"`;
    expect(together).toEqual([
      { name: 'ALICE', order: 0, type: 'dialogue' },
      { name: 'BOB', order: 1, type: 'dialogue' },
    ]);
    const direction = await t.db.$queryRaw<Array<{ name: string }>>`
      SELECT c.name FROM "LineCharacter" lc JOIN "Line" l ON l.id = lc."lineId" JOIN "Character" c ON c.id = lc."characterId"
      WHERE c."playbookId" = ${playbookId} AND l.type = 'stage_direction' AND l.text = '[Exit CAROL]'`;
    expect(direction).toEqual([{ name: 'CAROL' }]);
    const [cast] = await t.db.$queryRaw<Array<{ aliases: string[] }>>`
      SELECT aliases FROM "Character" WHERE "playbookId" = ${playbookId} AND name = 'ALICE'`;
    expect(cast!.aliases).toEqual(['ALI.']);
  });

  it('takes a handful of statements, however long the play', async () => {
    const long = structuredClone(toy);
    for (let i = 0; i < 2000; i++) long.acts[1]!.scenes[0]!.lines.push({ type: 'dialogue', text: `line ${i}`, characters: ['ALICE', 'BOB'], indentLevel: null, preserveLineBreaks: null });
    let statements = 0;
    const stored = await inTransaction(async (tx) => {
      const counted = instrumented(tx);
      const r = await storePlay(counted.client, long);
      statements = counted.statements();
      return r;
    });
    expect(statements).toBeLessThanOrEqual(2);
    expect(stored.links).toBeGreaterThan(4000);
    expect(await loadPlay(t.sql, stored.playbookId)).toEqual(long);
  });

  it('leaves nothing behind when any statement of the storing transaction fails', async () => {
    const before = await tableCounts();
    for (let failAt = 1; failAt <= 2; failAt++) {
      await expect(inTransaction((tx) => storePlay(instrumented(tx, failAt).client, toy))).rejects.toThrow(`statement ${failAt} failed`);
      expect(await tableCounts()).toEqual(before);
    }
    // A failure after the last statement (the job's completion) also takes the play with it.
    await expect(
      inTransaction(async (tx) => {
        await storePlay(tx, toy);
        throw new Error('completing the job failed');
      }),
    ).rejects.toThrow('completing the job failed');
    expect(await tableCounts()).toEqual(before);
  });

  it('replaces a stored play atomically', async () => {
    const first = await store(toy);
    const renamed = { ...toy, title: 'The Toy Play, revised' };
    // A failed replacement keeps the old play.
    await expect(inTransaction((tx) => storePlay(instrumented(tx, 3).client, renamed, { replacesPlaybookId: first.playbookId }))).rejects.toThrow();
    expect(await loadPlay(t.sql, first.playbookId)).toEqual(toy);

    const second = await store(renamed, first.playbookId);
    expect(second.replaced).toBe(true);
    expect(await loadPlay(t.sql, first.playbookId)).toBeNull();
    expect(await loadPlay(t.sql, second.playbookId)).toEqual(renamed);
    const orphans = await t.db.$queryRaw<Array<{ n: number }>>`
      SELECT count(*)::int AS n FROM "Character" WHERE "playbookId" = ${first.playbookId}`;
    expect(orphans[0]!.n).toBe(0);
    // Replacing a play that is already gone stores the new one all the same.
    expect((await store(renamed, first.playbookId)).replaced).toBe(false);
  });

  it('refuses a cast with a name twice or a line naming someone outside the cast, before writing anything', async () => {
    const before = await tableCounts();
    const twice = { ...toy, characters: [...toy.characters, toy.characters[0]!] };
    await expect(store(twice)).rejects.toThrow('the cast lists "ALICE" twice');
    const dangling = structuredClone(toy);
    dangling.acts[0]!.scenes[1]!.lines[0]!.characters = ['NOBODY'];
    await expect(store(dangling)).rejects.toThrow('line 1 of act 1, scene 2 names "NOBODY", who is not in the cast');
    expect(await tableCounts()).toEqual(before);
  });
});

describe('stored plays', () => {
  it('are found by playbook id, job id or a prefix, listed, and deleted with everything under them', async () => {
    const jobId = await createJob(t, 'text of a listed play', { parser: 'rules', chunkSize: 1000 }, { filename: 'listed.txt' });
    const stored = await store({ ...toy, title: 'Listed' });
    await t.db.parseJob.update({ where: { id: jobId }, data: { status: 'completed', playbookId: stored.playbookId, completedAt: new Date() } });

    expect(await resolvePlay(t.sql, stored.playbookId)).toEqual({ playbookId: stored.playbookId, jobId });
    expect(await resolvePlay(t.sql, jobId.slice(0, 8))).toEqual({ playbookId: stored.playbookId, jobId });
    await expect(resolvePlay(t.sql, 'zzzz')).rejects.toThrow('"zzzz" is not a job or play id.');
    await expect(resolvePlay(t.sql, 'ffffffff-ffff')).rejects.toThrow('No stored play or job has an id starting with ffffffff-ffff.');

    const listed = (await listPlays(t.sql)).find((p) => p.id === stored.playbookId);
    expect(listed).toMatchObject({ title: 'Listed', author: 'A. Tester', characters: 3, lines: stored.lines, jobId, filename: 'listed.txt' });

    expect(await deletePlay(t.sql, stored.playbookId.slice(0, 8))).toEqual({ id: stored.playbookId, title: 'Listed', progress: { characters: 0, lines: 0, users: 0 } });
    const left = await t.db.$queryRaw<Array<{ n: number }>>`
      SELECT (SELECT count(*) FROM "Act" WHERE "playbookId" = ${stored.playbookId})::int
           + (SELECT count(*) FROM "Character" WHERE "playbookId" = ${stored.playbookId})::int AS n`;
    expect(left[0]!.n).toBe(0);
    await expect(resolvePlay(t.sql, jobId)).rejects.toThrow(`The play job ${jobId.slice(0, 8)} stored has since been deleted or replaced.`);
    await expect(deletePlay(t.sql, stored.playbookId)).rejects.toThrow('No stored play or job has an id starting with');
  });

  it('says when a job has stored no play', async () => {
    const jobId = await createJob(t, 'text of an unfinished play', { parser: 'rules', chunkSize: 1000 });
    await expect(resolvePlay(t.sql, jobId)).rejects.toThrow(`Job ${jobId.slice(0, 8)} has stored no play (it is running).`);
  });
});
