import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { PermanentError } from '../errors.js';
import type { ParsedPlay, PlayLine } from '../parse/play.js';
import { newId } from './ids.js';
import { hasProgress, lockPlay, progressOf, type Progress } from './progress.js';

// Writes a parsed play inside the caller's transaction (the one that completes the job) with plain pg: one
// statement for the play, its cast, acts and scenes, then one per batch of lines with their speaker links,
// each an INSERT … SELECT FROM unnest(…) of whole columns. Ids are made here (see ids.ts), so no statement
// waits for another's RETURNING and the links need no join to find their lines. Lines go in batches so a
// play of any length is written with bounded statements and bounded memory. References are checked by
// character name before anything is sent, so a line naming nobody is reported instead of failing on a
// foreign key. What remains is what the app's schema asks for and cannot be skipped: per row, its indexes
// (five on Line, three on LineCharacter) and its foreign-key checks (one per line, two per speaker link,
// each a lookup PostgreSQL runs as a query of its own). They are four fifths of the server's time for a
// store (bench:store splits it), so how the rows are sent barely matters: COPY, parameters a third
// smaller, or the play and its lines in one statement each measured the same as this.

/** Lines (with their links) per statement: Hamlet is one batch; the text of a batch stays a few MB. */
export const LINES_PER_BATCH = 5_000;

export interface StoredPlay {
  playbookId: string;
  characters: number;
  acts: number;
  scenes: number;
  lines: number;
  links: number;
  /** The play named by `replacesPlaybookId` existed and was deleted. */
  replaced: boolean;
  /** The play to replace was kept, because app users have rehearsal progress on it. */
  keptForProgress?: { playbookId: string; progress: Progress };
}

export interface StoreOptions {
  /**
   * A stored play to delete in the same transaction (`enqueue --replace`, or the partial play of an
   * interrupted legacy session). Kept instead when it has rehearsal progress, unless `discardProgress`.
   */
  replacesPlaybookId?: string | null;
  discardProgress?: boolean;
}

export type StoreClient = Pick<pg.ClientBase, 'query'>;

export async function storePlay(tx: StoreClient, play: ParsedPlay, options: StoreOptions = {}): Promise<StoredPlay> {
  checkReferences(play);
  let replaced = false;
  let keptForProgress: StoredPlay['keptForProgress'];
  if (options.replacesPlaybookId) {
    const id = options.replacesPlaybookId;
    const old = await lockPlay(tx, id);
    const progress = old ? await progressOf(tx, id) : null;
    if (progress && hasProgress(progress) && !options.discardProgress) keptForProgress = { playbookId: id, progress };
    else if (old) replaced = ((await tx.query(`DELETE FROM "Playbook" WHERE id = $1`, [id])).rowCount ?? 0) > 0;
  }

  // The play's id is shown and typed by prefix (`show 3f2a1b9c`), so it is random, not time-ordered.
  const playbookId = randomUUID();
  const characterIds = new Map(play.characters.map((c) => [c.name, newId()]));
  const actIds = play.acts.map(() => newId());
  const scenes = play.acts.flatMap((act, a) => act.scenes.map((scene, s) => ({ id: newId(), actId: actIds[a]!, order: s, title: scene.title })));

  // Character has no order column in the shared schema; the cast keeps its printed order through
  // createdAt, one millisecond apart (the column's precision), which is what the loader sorts by.
  await tx.query(
    `WITH book AS (
       INSERT INTO "Playbook" (id, title, author, year, genre, description, "updatedAt")
       VALUES ($1, $2, $3, $4::int, $5, $6, now())
     ), cast_ AS (
       INSERT INTO "Character" (id, name, description, aliases, "playbookId", "createdAt", "updatedAt")
       SELECT c.id, c.name, c.description, ARRAY(SELECT jsonb_array_elements_text(c.aliases::jsonb)), $1,
              now() + (c.n - 1) * interval '1 millisecond', now()
       FROM unnest($7::text[], $8::text[], $9::text[], $10::text[]) WITH ORDINALITY AS c(id, name, description, aliases, n)
     ), acts AS (
       INSERT INTO "Act" (id, title, "order", "playbookId", "updatedAt")
       SELECT a.id, a.title, (a.n - 1)::int, $1, now() FROM unnest($11::text[], $12::text[]) WITH ORDINALITY AS a(id, title, n)
     )
     INSERT INTO "Scene" (id, title, "order", "actId", "updatedAt")
     SELECT s.id, s.title, s.ord, s.act, now() FROM unnest($13::text[], $14::text[], $15::int[], $16::text[]) AS s(id, title, ord, act)`,
    [
      playbookId, play.title, play.author, play.year ?? null, play.genre ?? null, play.description ?? null,
      [...characterIds.values()], play.characters.map((c) => c.name), play.characters.map((c) => c.description ?? null),
      play.characters.map((c) => JSON.stringify(c.aliases)),
      actIds, play.acts.map((a) => a.title),
      scenes.map((s) => s.id), scenes.map((s) => s.title), scenes.map((s) => s.order), scenes.map((s) => s.actId),
    ],
  );

  let lines = 0;
  let links = 0;
  let batch = new LineBatch();
  const flush = async () => {
    if (batch.size === 0) return;
    await batch.write(tx);
    lines += batch.size;
    links += batch.links;
    batch = new LineBatch();
  };
  let sceneIndex = 0;
  for (const act of play.acts) {
    for (const scene of act.scenes) {
      const sceneId = scenes[sceneIndex++]!.id;
      for (const [l, line] of scene.lines.entries()) {
        // One link per distinct character, in the line's order (a repeated name would break the key).
        batch.add(sceneId, l, line, [...new Set(line.characters)].map((name) => characterIds.get(name)!));
        if (batch.size >= LINES_PER_BATCH) await flush();
      }
    }
  }
  await flush();

  return {
    playbookId,
    characters: characterIds.size,
    acts: actIds.length,
    scenes: scenes.length,
    lines,
    links,
    replaced,
    ...(keptForProgress ? { keptForProgress } : {}),
  };
}

/** Columns of up to LINES_PER_BATCH lines and of their links, written in one statement. */
class LineBatch {
  private readonly ids: string[] = [];
  private readonly texts: string[] = [];
  private readonly types: string[] = [];
  private readonly orders: number[] = [];
  private readonly indents: Array<number | null> = [];
  private readonly keeps: Array<boolean | null> = [];
  private readonly sceneIds: string[] = [];
  private readonly linkLines: string[] = [];
  private readonly linkCharacters: string[] = [];
  private readonly linkOrders: number[] = [];

  get size(): number {
    return this.ids.length;
  }

  get links(): number {
    return this.linkLines.length;
  }

  add(sceneId: string, order: number, line: PlayLine, speakers: string[]): void {
    const id = newId();
    this.ids.push(id);
    this.texts.push(line.text);
    this.types.push(line.type);
    this.orders.push(order);
    this.indents.push(line.indentLevel ?? null);
    this.keeps.push(line.preserveLineBreaks ?? null);
    this.sceneIds.push(sceneId);
    speakers.forEach((characterId, position) => {
      this.linkLines.push(id);
      this.linkCharacters.push(characterId);
      this.linkOrders.push(position);
    });
  }

  async write(tx: StoreClient): Promise<void> {
    // The links' foreign-key checks run at the end of the statement, after the lines of the CTE exist.
    const { rowCount } = await tx.query(
      `WITH line AS (
         INSERT INTO "Line" (id, text, type, "order", "indentLevel", "preserveLineBreaks", "sceneId", "updatedAt")
         SELECT l.id, l.text, l.type::"LineType", l.ord, l.indent, l.keep, l.scene, now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::boolean[], $7::text[]) AS l(id, text, type, ord, indent, keep, scene)
       )
       INSERT INTO "LineCharacter" ("lineId", "characterId", "order")
       SELECT * FROM unnest($8::text[], $9::text[], $10::int[])`,
      [this.ids, this.texts, this.types, this.orders, this.indents, this.keeps, this.sceneIds, this.linkLines, this.linkCharacters, this.linkOrders],
    );
    if (rowCount !== this.links) throw new Error(`stored ${rowCount} of ${this.links} line–character links; the play was not saved`);
  }
}

/** Refuses, before writing anything, a cast with a name twice or a line naming someone outside the cast. */
function checkReferences(play: ParsedPlay): void {
  const cast = new Set<string>();
  for (const c of play.characters) {
    if (cast.has(c.name)) throw new PermanentError(`Cannot store the play: the cast lists "${c.name}" twice.`);
    cast.add(c.name);
  }
  play.acts.forEach((act, a) =>
    act.scenes.forEach((scene, s) =>
      scene.lines.forEach((line, l) => {
        const nobody = line.characters.find((name) => !cast.has(name));
        if (nobody !== undefined) {
          throw new PermanentError(`Cannot store the play: line ${l + 1} of act ${a + 1}, scene ${s + 1} names "${nobody}", who is not in the cast.`);
        }
      }),
    ),
  );
}
