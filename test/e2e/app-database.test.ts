import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { withPgClient } from '../../src/db/server.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { createEmptyDatabase } from '../helpers/db.js';
import { makeAppDb, prismaMigrationRows, schemaObjects } from '../helpers/app-db.js';
import { generateAppClient, type AppClient, type GeneratedAppClient } from '../helpers/app-client.js';

// playbuddy as a user of the theatre-play-buddy app runs it: on the app's own database, built by the app's
// migrations and holding its plays, its users' rehearsal progress and its old parsing sessions. Every step
// is a real `playbuddy` process; what it stored is read back through the app's own Prisma client.

const PLAYS = join(ROOT, 'test', 'fixtures', 'plays');
const SYNGE = join(PLAYS, 'synge-riders-to-the-sea.txt');
const CHEKHOV = join(PLAYS, 'chekhov-medved.txt');
const WILDE = join(PLAYS, 'wilde-importance-of-being-earnest.txt');
const KLEIST = join(PLAYS, 'kleist-der-zerbrochne-krug.txt');
const APP_JOB = 'a0b1c2d3-0000-4000-8000-0000000000c3';
// The app's ids are UUIDs, which is what `plays delete` takes.
const PARTIAL_PLAIN = '6f1c1d2e-0000-4000-8000-00000000a1a1';
const PARTIAL_PROGRESS = '6f1c1d2e-0000-4000-8000-00000000b2b2';

let generated: GeneratedAppClient;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  generated = await generateAppClient();
}, 120_000);
afterAll(async () => {
  for (const c of cleanups) await c();
  generated?.remove();
});

/** What the app's users already have: a play with rehearsal progress, and the partial plays of its interrupted sessions. */
async function seedApp(app: AppClient, sql: (q: string, v?: unknown[]) => Promise<unknown>, withParseJob: boolean) {
  const line = (order: number, text: string, who: string[]) => ({
    order,
    text,
    type: 'dialogue',
    characters: { create: who.map((id, i) => ({ characterId: id, order: i })) },
  });
  await app.playbook.create({
    data: {
      id: 'finished-book',
      title: "The App's Own Play",
      author: 'A. Writer',
      characters: { create: [{ id: 'c-anna', name: 'ANNA' }, { id: 'c-ben', name: 'BEN' }] },
    },
  });
  await app.act.create({
    data: {
      id: 'a1', title: 'Act 1', order: 0, playbookId: 'finished-book',
      scenes: { create: [{ id: 's1', title: 'Scene 1', order: 0, lines: { create: [line(0, 'Hello.', ['c-anna']), line(1, 'Hello to you.', ['c-ben'])] } }] },
    },
  });
  const [l0] = await app.line.findMany({ where: { sceneId: 's1' }, orderBy: { order: 'asc' } });
  await app.userCharacterProgress.create({ data: { characterId: 'c-anna', playbookId: 'finished-book', totalLines: 1, masteredLines: 1 } });
  await app.userLineProgress.create({ data: { lineId: l0.id, characterId: 'c-anna', playbookId: 'finished-book', rehearsalCount: 7 } });

  // The old app created a play as soon as a session started parsing, and filled it as it went.
  for (const [id, title] of [[PARTIAL_PLAIN, 'Riders (partial)'], [PARTIAL_PROGRESS, 'Riders (partial, rehearsed)']]) {
    await app.playbook.create({ data: { id, title, author: '', characters: { create: [{ id: `${id}-c`, name: 'MAURYA' }] } } });
  }
  await app.userCharacterProgress.create({ data: { characterId: `${PARTIAL_PROGRESS}-c`, playbookId: PARTIAL_PROGRESS, totalLines: 3 } });

  const session = (id: string, status: string, playbookId: string, text: string, extra = '') =>
    sql(
      `INSERT INTO "ParsingSession" (id, "playbookId", filename, "rawText", status, "currentChunk", "totalChunks", title, "currentActIndex", "currentCharacters", "failureReason"${extra ? ', "completedAt"' : ''})
       VALUES ($1, $2, $3, $4, $5::"ParsingStatus", 1, 4, $6, 0, ARRAY['MAURYA'], $7${extra ? ', now()' : ''})`,
      [id, playbookId, `${id}.txt`, text, status, `Session ${id}`, status === 'failed' ? 'the model gave up' : null],
    );
  const { readFileSync } = await import('node:fs');
  const synge = readFileSync(SYNGE, 'utf8');
  const chekhov = readFileSync(CHEKHOV, 'utf8');
  await session('s-pending', 'pending', 'never-created', chekhov);
  await session('s-warming', 'warming', PARTIAL_PROGRESS, synge);
  // Another edition of the same play, with Windows line endings: the same text would be a duplicate of s-warming.
  await session('s-parsing', 'parsing', PARTIAL_PLAIN, synge.replace(/\n/g, '\r\n') + '\r\nCURTAIN.\r\n');
  await session('s-completed', 'completed', 'finished-book', 'ANNA. Hello.\n', 'done');
  await session('s-failed', 'failed', 'gone-1', 'BEN. Bye.\n', 'done');
  await session('s-aborted', 'aborted', 'gone-2', 'ANNA. Wait.\n', 'done');
  // A job queued through the app's own ParseJob table (its Phase 8), with the app's idea of a config.
  if (withParseJob) {
    await app.parseJob.create({ data: { id: APP_JOB, rawText: readFileSync(KLEIST, 'utf8'), filename: 'krug.txt', config: { chunkSize: 8000, llmProvider: 'none' } } });
  }
}

/** A stored play as the app reads it: acts, scenes and lines in order, each line with its speakers. */
async function readThroughApp(app: AppClient, playbookId: string) {
  const book = await app.playbook.findUnique({
    where: { id: playbookId },
    include: {
      _count: { select: { characters: true, acts: true } },
      characters: { orderBy: { createdAt: 'asc' } },
      acts: {
        orderBy: { order: 'asc' },
        include: {
          scenes: {
            orderBy: { order: 'asc' },
            include: { lines: { orderBy: { order: 'asc' }, include: { characters: { orderBy: { order: 'asc' }, include: { character: true } } } } },
          },
        },
      },
    },
  });
  const lineCount = await app.line.count({ where: { scene: { act: { playbookId } } } });
  return { book, lineCount };
}

describe.each([
  ['all six app migrations', 6],
  ['the app from before its ParseJob migration', 5],
])("on the app's database (%s)", (_label, n) => {
  it('adopts it, migrates its sessions, stores plays the app reads whole, and never loses rehearsal progress', async () => {
    const d = await createEmptyDatabase(`e2e_app${n}`);
    cleanups.push(d.drop);
    const cli = (args: string[], input?: string) => runCli(args, { databaseUrl: d.url, input, timeoutMs: 90_000 });
    const sql = (q: string, v: unknown[] = []) => withPgClient(d.url, (c) => c.query(q, v));
    const rows = async <T>(q: string, v: unknown[] = []) => (await sql(q, v)).rows as T[];

    await makeAppDb(d.url, n);
    const app = await generated.connect(d.url);
    try {
      await seedApp(app, sql, n === 6);
      const history = await prismaMigrationRows(d.url);
      const progressBefore = await rows(`SELECT * FROM "UserLineProgress" UNION ALL SELECT NULL, "userId", NULL, "characterId", "playbookId", "totalLines", "masteredLines", 0, "firstPracticedAt", "lastPracticedAt" FROM "UserCharacterProgress" ORDER BY 5, 4`);
      const objectsBefore = await withPgClient(d.url, schemaObjects);

      // A dry run before adoption reports and changes nothing.
      const dry = await cli(['migrate-sessions', '--dry-run', '--json']);
      expect(dry.code, dry.stderr).toBe(0);
      expect(JSON.parse(dry.stdout)).toMatchObject({ sessions: 6, migrated: 6, databaseAdopted: false });
      expect(await withPgClient(d.url, schemaObjects)).toEqual(objectsBefore);

      const migrated = await cli(['migrate-sessions', '--json']);
      expect(migrated.code, migrated.stderr).toBe(0);
      expect(JSON.parse(migrated.stdout)).toMatchObject({ sessions: 6, migrated: 6, failed: 0 });
      const enq = await cli(['enqueue', WILDE, '--json']);
      expect(enq.code, enq.stderr).toBe(0);
      const drained = await cli(['work', '--drain', '--poll-interval', '100ms']);
      expect(drained.code, drained.stderr).toBe(0);

      const jobs = await rows<{ id: string; status: string; legacySessionId: string | null; playbookId: string | null; filename: string }>(
        `SELECT id, status::text, "legacySessionId", "playbookId", filename FROM "ParseJob" ORDER BY filename`,
      );
      const bySession = Object.fromEntries(jobs.filter((j) => j.legacySessionId).map((j) => [j.legacySessionId!, j]));
      expect(Object.fromEntries(Object.entries(bySession).map(([s, j]) => [s, j.status]))).toEqual({
        's-pending': 'completed', 's-warming': 'completed', 's-parsing': 'completed',
        's-completed': 'completed', 's-failed': 'failed', 's-aborted': 'cancelled',
      });
      const wilde = jobs.find((j) => j.filename === WILDE)!;
      expect(wilde.status).toBe('completed');
      const appJob = jobs.find((j) => j.id === APP_JOB);
      if (n === 6) expect(appJob?.status).toBe('completed');

      // The interrupted sessions' partial plays: replaced when nobody rehearsed them, kept (and said so) otherwise.
      const books = (await rows<{ id: string }>(`SELECT id FROM "Playbook"`)).map((r) => r.id);
      expect(books).not.toContain(PARTIAL_PLAIN);
      expect(books).toContain(PARTIAL_PROGRESS);
      expect(books).toContain('finished-book');
      const kept = await rows<{ details: Record<string, unknown> }>(`SELECT details FROM "JobEvent" WHERE "jobId" = $1 AND event = 'kept-replaced-play'`, [bySession['s-warming']!.id]);
      expect(kept).toEqual([{ details: expect.objectContaining({ playbookId: PARTIAL_PROGRESS, characters: 1, lines: 0, users: 1 }) }]);
      expect(bySession['s-completed']!.playbookId).toBe('finished-book');

      // Every play playbuddy stored reads back whole through the app's own client.
      for (const job of [bySession['s-pending']!, bySession['s-warming']!, bySession['s-parsing']!, wilde, ...(appJob ? [appJob] : [])]) {
        const exported = await cli(['export', job.id]);
        expect(exported.code, exported.stderr).toBe(0);
        const play = JSON.parse(exported.stdout);
        const { book, lineCount } = await readThroughApp(app, job.playbookId!);
        expect(book.title).toBe(play.title);
        expect(book._count).toEqual({ characters: play.characters.length, acts: play.acts.length });
        expect(book.characters.map((c: { name: string }) => c.name)).toEqual(play.characters.map((c: { name: string }) => c.name));
        const appLines = book.acts.map((a: AppClient) => ({
          title: a.title,
          scenes: a.scenes.map((s: AppClient) => ({
            title: s.title,
            lines: s.lines.map((l: AppClient) => ({ type: l.type, text: l.text, characters: l.characters.map((lc: AppClient) => lc.character.name) })),
          })),
        }));
        const ours = play.acts.map((a: AppClient) => ({
          title: a.title,
          scenes: a.scenes.map((s: AppClient) => ({
            title: s.title,
            lines: s.lines.map((l: AppClient) => ({ type: l.type, text: l.text, characters: [...new Set(l.characters)] })),
          })),
        }));
        expect(appLines).toEqual(ours);
        expect(lineCount).toBe(play.acts.flatMap((a: AppClient) => a.scenes.flatMap((s: AppClient) => s.lines)).length);
        expect(lineCount).toBeGreaterThan(100);
      }

      // The app's history and its users' progress went through all of it untouched.
      expect(await prismaMigrationRows(d.url)).toEqual(history);
      expect(await rows(`SELECT * FROM "UserLineProgress" UNION ALL SELECT NULL, "userId", NULL, "characterId", "playbookId", "totalLines", "masteredLines", 0, "firstPracticedAt", "lastPracticedAt" FROM "UserCharacterProgress" ORDER BY 5, 4`)).toEqual(progressBefore);

      // Deleting a rehearsed play needs --discard-progress; the general --yes does not imply it.
      const refused = await cli(['plays', 'delete', PARTIAL_PROGRESS, '--yes']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/holds 1 user's rehearsal progress \(1 character, 0 lines\), which deleting it would lose; nothing was deleted\.\nhint: .*--discard-progress/);
      expect(await rows(`SELECT 1 FROM "Playbook" WHERE id = $1`, [PARTIAL_PROGRESS])).toHaveLength(1);
      const deleted = await cli(['plays', 'delete', PARTIAL_PROGRESS, '--yes', '--discard-progress']);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(await rows(`SELECT 1 FROM "UserCharacterProgress" WHERE "playbookId" = $1`, [PARTIAL_PROGRESS])).toEqual([]);

      // Replacing a rehearsed play likewise.
      const stored = wilde.playbookId!;
      const [character] = await app.character.findMany({ where: { playbookId: stored }, take: 1 });
      const [someLine] = await app.line.findMany({ where: { scene: { act: { playbookId: stored } } }, take: 1 });
      await app.userLineProgress.create({ data: { lineId: someLine.id, characterId: character.id, playbookId: stored, rehearsalCount: 2 } });
      const noReplace = await cli(['enqueue', WILDE, '--replace', '--force']);
      expect(noReplace.code).toBe(1);
      expect(noReplace.stderr).toMatch(/holds 1 user's rehearsal progress \(0 characters, 1 line\), which replacing it would lose; not enqueued/);
      // --force: the text and settings are unchanged, which --replace alone skips.
      const replace = await cli(['enqueue', WILDE, '--replace', '--force', '--discard-progress']);
      expect(replace.code, replace.stderr).toBe(0);
      expect((await cli(['work', '--drain', '--poll-interval', '100ms'])).code).toBe(0);
      expect(await rows(`SELECT 1 FROM "Playbook" WHERE id = $1`, [stored])).toEqual([]);
      expect(await rows(`SELECT 1 FROM "UserLineProgress" WHERE "playbookId" = $1`, [stored])).toEqual([]);
      // The app's own play and its progress are still there.
      expect((await readThroughApp(app, 'finished-book')).lineCount).toBe(2);
      expect(await rows(`SELECT "rehearsalCount" FROM "UserLineProgress" WHERE "playbookId" = 'finished-book'`)).toEqual([{ rehearsalCount: 7 }]);
      expect(await prismaMigrationRows(d.url)).toEqual(history);
    } finally {
      await app.$disconnect();
    }
  }, 480_000);
});
