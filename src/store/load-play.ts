import type pg from 'pg';
import type { ParsedPlay, PlayLine } from '../parse/play.js';

// Reads a stored play back into the shape the parsers produce, so `export` prints what `parse --json`
// printed for the same text. Every query is bounded whatever the size of the play: the play, its cast and
// its act/scene outline are small, and the lines come through a cursor a page at a time (a nested read
// that sends one id per line as a parameter fails on a long play). All of it is read in one read-only
// snapshot, so a play replaced meanwhile is seen whole, before or after.

/** Lines fetched per round trip: large enough that Hamlet is two, small enough to keep each page a few MB. */
const LINES_PER_FETCH = 2_000;

const SPEAKER_SEPARATOR = '\u001f';

export interface LoadOptions {
  /** Only this act's lines (counting from 1); the outline and cast are always whole. */
  act?: number;
  /** With `act`, only this scene's lines (counting from 1). */
  scene?: number;
}

export type Connectable = Pick<pg.Pool, 'connect'>;

interface OutlineRow {
  actId: string;
  actTitle: string;
  sceneId: string | null;
  sceneTitle: string | null;
}

interface LineRow {
  sceneId: string;
  type: PlayLine['type'];
  text: string;
  indentLevel: number | null;
  preserveLineBreaks: boolean | null;
  /** The speakers' character ids, joined by U+001F (one text parses much faster than an array). */
  speakers: string | null;
}

/**
 * The stored play, or null when there is none with this id. With `act`/`scene`, the other scenes come back
 * with no lines (titles and the cast are always whole): what `show --act 1 --scene 1` needs.
 */
export async function loadPlay(db: Connectable, playbookId: string, options: LoadOptions = {}): Promise<ParsedPlay | null> {
  const client = await db.connect();
  try {
    // No JIT: the read walks indexes row by row, and on a table without fresh statistics its estimated cost
    // can pass jit_above_cost, when compiling would cost far more than the read (measured: 1.4 s against 60 ms).
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL jit = off');
    const play = await readPlay(client, playbookId, options);
    await client.query('COMMIT');
    return play;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

async function readPlay(client: pg.ClientBase, playbookId: string, options: LoadOptions): Promise<ParsedPlay | null> {
  const { rows: books } = await client.query<Omit<ParsedPlay, 'characters' | 'acts'>>(
    `SELECT title, author, year, genre, description FROM "Playbook" WHERE id = $1`,
    [playbookId],
  );
  const book = books[0];
  if (!book) return null;
  // The cast's printed order is kept in createdAt (see storePlay).
  const { rows: cast } = await client.query<{ id: string; name: string; aliases: string[]; description: string | null }>(
    `SELECT id, name, aliases, description FROM "Character" WHERE "playbookId" = $1 ORDER BY "createdAt", id`,
    [playbookId],
  );
  const { rows: outline } = await client.query<OutlineRow>(
    `SELECT a.id AS "actId", a.title AS "actTitle", s.id AS "sceneId", s.title AS "sceneTitle"
     FROM "Act" a LEFT JOIN "Scene" s ON s."actId" = a.id
     WHERE a."playbookId" = $1
     ORDER BY a."order", a.id, s."order", s.id`,
    [playbookId],
  );

  const acts: ParsedPlay['acts'] = [];
  const linesOf = new Map<string, PlayLine[]>();
  const wanted: string[] = [];
  let lastAct: string | null = null;
  for (const row of outline) {
    if (row.actId !== lastAct) {
      acts.push({ title: row.actTitle, scenes: [] });
      lastAct = row.actId;
    }
    if (row.sceneId === null) continue;
    const act = acts.at(-1)!;
    const lines: PlayLine[] = [];
    act.scenes.push({ title: row.sceneTitle!, lines });
    linesOf.set(row.sceneId, lines);
    const inAct = options.act === undefined || options.act === acts.length;
    const inScene = options.scene === undefined || options.scene === act.scenes.length;
    if (inAct && inScene) wanted.push(row.sceneId);
  }

  const names = new Map(cast.map((c) => [c.id, c.name]));
  for await (const page of linePages(client, wanted)) {
    for (const row of page) {
      linesOf.get(row.sceneId)!.push({
        type: row.type,
        text: row.text,
        characters: row.speakers === null ? [] : row.speakers.split(SPEAKER_SEPARATOR).map((id) => names.get(id)!),
        indentLevel: row.indentLevel,
        preserveLineBreaks: row.preserveLineBreaks,
      });
    }
  }

  return {
    title: book.title,
    author: book.author,
    year: book.year,
    genre: book.genre,
    description: book.description,
    characters: cast.map((c) => ({ name: c.name, aliases: c.aliases, description: c.description })),
    acts,
  };
}

/**
 * The lines of the given scenes, in the scenes' order and then the lines' order, a page at a time. Speakers
 * come as character ids (the cast is already loaded), so no line joins the Character table.
 */
async function* linePages(client: pg.ClientBase, sceneIds: string[]): AsyncGenerator<LineRow[]> {
  if (sceneIds.length === 0) return;
  await client.query(
    `DECLARE play_lines NO SCROLL CURSOR FOR
     SELECT l."sceneId", l.type::text AS type, l.text, l."indentLevel", l."preserveLineBreaks",
            (SELECT string_agg(lc."characterId", E'\\x1f' ORDER BY lc."order", lc."characterId") FROM "LineCharacter" lc WHERE lc."lineId" = l.id) AS speakers
     FROM unnest($1::text[]) WITH ORDINALITY AS s(id, n)
     JOIN "Line" l ON l."sceneId" = s.id
     ORDER BY s.n, l."order", l.id`,
    [sceneIds],
  );
  for (;;) {
    const { rows } = await client.query<LineRow>(`FETCH ${LINES_PER_FETCH} FROM play_lines`);
    if (rows.length > 0) yield rows;
    if (rows.length < LINES_PER_FETCH) break;
  }
  await client.query('CLOSE play_lines');
}

export interface SpeechCounts {
  /** Dialogue lines in the play. */
  total: number;
  /** Dialogue lines each character speaks (alone or with others), by name. */
  byName: Map<string, number>;
}

/** What the cast list shows, counted in the database, for when only part of the play was read. */
export async function countSpeeches(db: Pick<pg.Pool, 'query'>, playbookId: string): Promise<SpeechCounts> {
  const [{ rows: perCharacter }, { rows: lines }] = await Promise.all([
    db.query<{ name: string; n: number }>(
      `SELECT c.name, count(l.id)::int AS n
       FROM "Character" c
       LEFT JOIN "LineCharacter" lc ON lc."characterId" = c.id
       LEFT JOIN "Line" l ON l.id = lc."lineId" AND l.type = 'dialogue'
       WHERE c."playbookId" = $1
       GROUP BY c.id, c.name`,
      [playbookId],
    ),
    db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "Act" a JOIN "Scene" s ON s."actId" = a.id JOIN "Line" l ON l."sceneId" = s.id
       WHERE a."playbookId" = $1 AND l.type = 'dialogue'`,
      [playbookId],
    ),
  ]);
  return { total: lines[0]?.n ?? 0, byName: new Map(perCharacter.map((r) => [r.name, r.n])) };
}
