import type { Db, Prisma } from '../db/client.js';
import type { ParsedPlay } from '../parse/play.js';

// Reads a stored play back into the shape the parsers produce, so `export` prints what `parse --json`
// printed for the same text.

export async function loadPlay(db: Db | Prisma.TransactionClient, playbookId: string): Promise<ParsedPlay | null> {
  const book = await db.playbook.findUnique({
    where: { id: playbookId },
    select: {
      title: true,
      author: true,
      year: true,
      genre: true,
      description: true,
      // The cast's order is kept in createdAt (see storePlay).
      characters: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { name: true, aliases: true, description: true } },
      acts: {
        orderBy: { order: 'asc' },
        select: {
          title: true,
          scenes: {
            orderBy: { order: 'asc' },
            select: {
              title: true,
              lines: {
                orderBy: { order: 'asc' },
                select: {
                  type: true,
                  text: true,
                  indentLevel: true,
                  preserveLineBreaks: true,
                  characters: { orderBy: { order: 'asc' }, select: { character: { select: { name: true } } } },
                },
              },
            },
          },
        },
      },
    },
  });
  if (!book) return null;
  return {
    title: book.title,
    author: book.author,
    year: book.year,
    genre: book.genre,
    description: book.description,
    characters: book.characters.map((c) => ({ name: c.name, aliases: c.aliases, description: c.description })),
    acts: book.acts.map((act) => ({
      title: act.title,
      scenes: act.scenes.map((scene) => ({
        title: scene.title,
        lines: scene.lines.map((line) => ({
          type: line.type,
          text: line.text,
          characters: line.characters.map((link) => link.character.name),
          indentLevel: line.indentLevel,
          preserveLineBreaks: line.preserveLineBreaks,
        })),
      })),
    })),
  };
}
