import { z } from 'zod';

// What the model answers about one uncertain passage: only what the rules could not decide (is it
// spoken, and by whom), never the words themselves, so an answer cannot lose or invent text. The
// speaker label is asked for so that a label the rules kept as spoken words can be taken out of them.
// Every field is required (null when absent), as OpenAI's strict structured output demands.

export const REGION_SCHEMA_NAME = 'play_passage';

const newCharacterSchema = z.object({
  id: z.string().min(1).describe('a new short lowercase id, not one of the cast ids'),
  name: z.string().min(1).describe('the name the play gives this character'),
  aliases: z.array(z.string()).describe('other labels the text uses for this character'),
});

const regionAnswerShape = z.object({
  type: z.enum(['dialogue', 'stage_direction']),
  speakers: z.array(z.string()).describe('dialogue: ids of everyone who speaks the passage; stage_direction: ids of the characters it concerns'),
  label: z.string().nullable().describe('the speaker label the passage begins with, exactly as printed; null if it begins with none'),
  newCharacters: z.array(newCharacterSchema).describe('speakers not in the cast; usually empty'),
});

export type RegionAnswer = z.infer<typeof regionAnswerShape>;

/** The schema for a passage whose prompt lists the cast ids `castIds` and shows `passage`. */
export function regionAnswerSchema(castIds: readonly string[], passage: string): z.ZodType<RegionAnswer> {
  const known = new Set(castIds);
  return regionAnswerShape.superRefine((answer, ctx) => {
    const introduced = new Set<string>();
    answer.newCharacters.forEach((character, i) => {
      if (known.has(character.id) || introduced.has(character.id)) {
        ctx.addIssue({ code: 'custom', path: ['newCharacters', i, 'id'], message: `"${character.id}" is already taken: refer to the existing id or choose another` });
      }
      introduced.add(character.id);
    });
    if (answer.type === 'dialogue' && answer.speakers.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['speakers'], message: 'a dialogue passage needs at least one speaker id' });
    }
    for (const id of answer.speakers) {
      if (!known.has(id) && !introduced.has(id)) {
        ctx.addIssue({ code: 'custom', path: ['speakers'], message: `"${id}" is neither a cast id nor in newCharacters` });
      }
    }
    if (answer.label !== null && labelLength(passage, answer.label) === undefined) {
      ctx.addIssue({ code: 'custom', path: ['label'], message: `the passage does not begin with "${answer.label}": give the label exactly as printed, or null` });
    }
  });
}

/**
 * How many characters of `text` the speaker label `label` takes at its start, with the punctuation and
 * space that separate it from the words; undefined when `text` does not begin with it. Case and spacing
 * inside the label are not held against the model.
 */
export function labelLength(text: string, label: string): number | undefined {
  const wanted = label.replace(/\s+/g, '').toLowerCase();
  if (wanted === '') return undefined;
  let i = 0;
  let matched = 0;
  while (i < text.length && matched < wanted.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch.toLowerCase() !== wanted[matched]) return undefined;
    i++;
    matched++;
  }
  if (matched < wanted.length) return undefined;
  // The label must end at a word boundary ("ROSS." is not the start of "ROSSE").
  if (/[\p{L}\p{N}]/u.test(text[i] ?? '') && /[\p{L}\p{N}]/u.test(wanted.at(-1)!)) return undefined;
  const separator = /^[ \t]*[.:,]?\s*/.exec(text.slice(i))!;
  return i + separator[0].length;
}
