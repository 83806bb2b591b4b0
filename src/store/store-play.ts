import type { Prisma } from '../db/client.js';
import { PermanentError } from '../errors.js';
import type { ParsedPlay } from '../parse/play.js';

// Writes a parsed play inside the caller's transaction (the one that completes the job), with one
// INSERT … SELECT FROM unnest(…) per table instead of a round trip per row: Hamlet's ~1,700 lines and
// their links are a handful of statements. Ids come from the database; rows are tied to their parents
// through the ids each insert returns, and links are resolved by character name before anything is
// sent, so a reference to nobody is reported instead of failing on a foreign key.

type Tx = Prisma.TransactionClient;

export interface StoredPlay {
  playbookId: string;
  characters: number;
  acts: number;
  scenes: number;
  lines: number;
  links: number;
  /** The play named by `replacesPlaybookId` existed and was deleted. */
  replaced: boolean;
}

export interface StoreOptions {
  /** A stored play to delete in the same transaction (`enqueue --replace`). */
  replacesPlaybookId?: string | null;
}

export async function storePlay(tx: Tx, play: ParsedPlay, options: StoreOptions = {}): Promise<StoredPlay> {
  const links = linkRows(play);
  checkReferences(play, links);
  let replaced = false;
  if (options.replacesPlaybookId) {
    replaced = (await tx.$executeRaw`DELETE FROM "Playbook" WHERE id = ${options.replacesPlaybookId}`) > 0;
  }

  const [book] = await tx.$queryRaw<Array<{ id: string }>>`
    INSERT INTO "Playbook" (id, title, author, year, genre, description, "updatedAt")
    VALUES (gen_random_uuid()::text, ${play.title}, ${play.author}, ${play.year ?? null}::int, ${play.genre ?? null},
            ${play.description ?? null}, now())
    RETURNING id`;
  const playbookId = book!.id;

  // Character has no order column in the shared schema; the cast keeps its printed order through
  // createdAt, one millisecond apart (the column's precision), which is what the loader sorts by.
  const characters = await tx.$queryRaw<Array<{ id: string; name: string }>>`
    INSERT INTO "Character" (id, name, description, aliases, "playbookId", "createdAt", "updatedAt")
    SELECT gen_random_uuid()::text, c.name, c.description,
           ARRAY(SELECT jsonb_array_elements_text(c.aliases::jsonb)), ${playbookId}, now() + (c.n - 1) * interval '1 millisecond', now()
    FROM unnest(${play.characters.map((c) => c.name)}::text[], ${play.characters.map((c) => c.description ?? null)}::text[],
                ${play.characters.map((c) => JSON.stringify(c.aliases))}::text[]) WITH ORDINALITY AS c(name, description, aliases, n)
    RETURNING id, name`;
  const characterIds = new Map(characters.map((c) => [c.name, c.id]));

  const acts = await tx.$queryRaw<Array<{ id: string; order: number }>>`
    INSERT INTO "Act" (id, title, "order", "playbookId", "updatedAt")
    SELECT gen_random_uuid()::text, a.title, (a.n - 1)::int, ${playbookId}, now()
    FROM unnest(${play.acts.map((a) => a.title)}::text[]) WITH ORDINALITY AS a(title, n)
    RETURNING id, "order"`;
  const actIds = idsByOrder(acts);

  const sceneRows = play.acts.flatMap((act, a) => act.scenes.map((scene, s) => ({ actId: actIds[a]!, order: s, title: scene.title })));
  const scenes = await tx.$queryRaw<Array<{ id: string; actId: string; order: number }>>`
    INSERT INTO "Scene" (id, title, "order", "actId", "updatedAt")
    SELECT gen_random_uuid()::text, s.title, s.ord, s.act, now()
    FROM unnest(${sceneRows.map((s) => s.title)}::text[], ${sceneRows.map((s) => s.order)}::int[], ${sceneRows.map((s) => s.actId)}::text[])
         AS s(title, ord, act)
    RETURNING id, "actId", "order"`;
  const sceneIds = new Map(scenes.map((s) => [`${s.actId}/${s.order}`, s.id]));
  const sceneIdAt = (a: number, s: number) => sceneIds.get(`${actIds[a]}/${s}`)!;

  const lines = play.acts.flatMap((act, a) =>
    act.scenes.flatMap((scene, s) => scene.lines.map((line, l) => ({ sceneId: sceneIdAt(a, s), order: l, line }))),
  );
  const linkRowsResolved = links.map((k) => ({
    sceneId: sceneIdAt(k.act, k.scene),
    lineOrder: k.line,
    characterId: characterIds.get(k.name)!,
    order: k.order,
  }));

  // Lines and their links in one statement: the links join the freshly inserted lines on (scene, order).
  const linked = await tx.$executeRaw`
    WITH line AS (
      INSERT INTO "Line" (id, text, type, "order", "indentLevel", "preserveLineBreaks", "sceneId", "updatedAt")
      SELECT gen_random_uuid()::text, l.text, l.type::"LineType", l.ord, l.indent, l.keep, l.scene, now()
      FROM unnest(${lines.map((r) => r.line.text)}::text[], ${lines.map((r) => r.line.type)}::text[], ${lines.map((r) => r.order)}::int[],
                  ${lines.map((r) => r.line.indentLevel ?? null)}::int[], ${lines.map((r) => r.line.preserveLineBreaks ?? null)}::boolean[],
                  ${lines.map((r) => r.sceneId)}::text[]) AS l(text, type, ord, indent, keep, scene)
      RETURNING id, "sceneId", "order"
    )
    INSERT INTO "LineCharacter" ("lineId", "characterId", "order")
    SELECT line.id, k.character, k.ord
    FROM unnest(${linkRowsResolved.map((k) => k.sceneId)}::text[], ${linkRowsResolved.map((k) => k.lineOrder)}::int[],
                ${linkRowsResolved.map((k) => k.characterId)}::text[], ${linkRowsResolved.map((k) => k.order)}::int[])
         AS k(scene, line_order, character, ord)
    JOIN line ON line."sceneId" = k.scene AND line."order" = k.line_order`;
  if (linked !== linkRowsResolved.length) {
    throw new Error(`stored ${linked} of ${linkRowsResolved.length} line–character links; the play was not saved`);
  }

  return { playbookId, characters: characters.length, acts: acts.length, scenes: scenes.length, lines: lines.length, links: linked, replaced };
}

/** Refuses, before writing anything, a cast with a name twice or a line naming someone outside the cast. */
function checkReferences(play: ParsedPlay, links: LinkRow[]): void {
  const cast = new Set<string>();
  for (const c of play.characters) {
    if (cast.has(c.name)) throw new PermanentError(`Cannot store the play: the cast lists "${c.name}" twice.`);
    cast.add(c.name);
  }
  const dangling = links.find((k) => !cast.has(k.name));
  if (dangling) {
    throw new PermanentError(
      `Cannot store the play: line ${dangling.line + 1} of act ${dangling.act + 1}, scene ${dangling.scene + 1} names "${dangling.name}", who is not in the cast.`,
    );
  }
}

function idsByOrder(rows: Array<{ id: string; order: number }>): string[] {
  const ids: string[] = [];
  for (const r of rows) ids[r.order] = r.id;
  return ids;
}

interface LinkRow {
  act: number;
  scene: number;
  line: number;
  name: string;
  /** Position among the line's characters, from 0. */
  order: number;
}

/** One link per distinct character of a line, in the line's order (a repeated name would break the key). */
function linkRows(play: ParsedPlay): LinkRow[] {
  const rows: LinkRow[] = [];
  play.acts.forEach((act, a) =>
    act.scenes.forEach((scene, s) =>
      scene.lines.forEach((line, l) => {
        const seen = new Set<string>();
        for (const name of line.characters) {
          if (seen.has(name)) continue;
          rows.push({ act: a, scene: s, line: l, name, order: seen.size });
          seen.add(name);
        }
      }),
    ),
  );
  return rows;
}
