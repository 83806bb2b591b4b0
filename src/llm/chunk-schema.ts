import { z } from 'zod';

// What the model returns for one chunk. Headings are entries of their own rather than fields, so a chunk
// that holds a heading the planner did not recognise still starts its act or scene in the right place.
// Every field is required (null when absent): OpenAI's strict structured output accepts nothing else.
// Speaker references are checked against the cast in the prompt, so a reference to nobody goes back to
// the model in the repair round instead of into the play.

export const ENTRY_TYPES = ['act', 'scene', 'dialogue', 'stage_direction'] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

const newCharacterSchema = z.object({
  id: z.string().min(1).describe('a new short lowercase id, not one of the cast ids'),
  name: z.string().min(1).describe('the name the play gives this character'),
  aliases: z.array(z.string()).describe('other labels the text uses for this character, e.g. abbreviated speaker labels'),
  description: z.string().nullable().describe('who the character is, if the text says; else null'),
});

const entrySchema = z.object({
  type: z.enum(ENTRY_TYPES),
  text: z.string().describe('act/scene: the heading as written; dialogue/stage_direction: the words, verbatim, without the speaker label'),
  speakers: z.array(z.string()).describe('dialogue: ids of everyone who speaks it; stage_direction: ids of characters it concerns; act/scene: empty'),
});

const chunkOutputShape = z.object({
  title: z.string().nullable().describe("the play's title if this text states it; else null"),
  author: z.string().nullable().describe("the play's author if this text states it; else null"),
  newCharacters: z.array(newCharacterSchema),
  entries: z.array(entrySchema).describe('everything in the text, in order'),
});

export type ChunkOutput = z.infer<typeof chunkOutputShape>;
export type ChunkEntry = z.infer<typeof entrySchema>;
export type NewCharacter = z.infer<typeof newCharacterSchema>;

export const CHUNK_SCHEMA_NAME = 'play_chunk';

/** The schema for a chunk whose prompt lists the cast ids `castIds`. */
export function chunkOutputSchema(castIds: readonly string[]): z.ZodType<ChunkOutput> {
  const known = new Set(castIds);
  return chunkOutputShape.superRefine((output, ctx) => {
    const introduced = new Set<string>();
    output.newCharacters.forEach((character, i) => {
      if (known.has(character.id)) {
        ctx.addIssue({ code: 'custom', path: ['newCharacters', i, 'id'], message: `"${character.id}" is already a cast id: refer to it instead of adding it again` });
      } else if (introduced.has(character.id)) {
        ctx.addIssue({ code: 'custom', path: ['newCharacters', i, 'id'], message: `"${character.id}" is used for two new characters` });
      }
      introduced.add(character.id);
    });
    output.entries.forEach((entry, i) => {
      if (entry.type === 'dialogue' && entry.speakers.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['entries', i, 'speakers'], message: 'a dialogue entry needs at least one speaker id' });
      }
      for (const id of entry.speakers) {
        if (!known.has(id) && !introduced.has(id)) {
          ctx.addIssue({ code: 'custom', path: ['entries', i, 'speakers'], message: `"${id}" is neither a cast id nor in newCharacters` });
        }
      }
    });
  });
}
