import { z } from 'zod';

// The shape of a parsed play: what every parser produces, what `parse --json` and `export` print, and what
// the store writes. Characters are referenced by name; names are unique within a play.

export const LINE_TYPES = ['dialogue', 'stage_direction'] as const;
export type LineType = (typeof LINE_TYPES)[number];

export const playLineSchema = z.object({
  type: z.enum(LINE_TYPES),
  text: z.string(),
  // dialogue: the speakers, in order; stage_direction: the characters it concerns (may be empty)
  characters: z.array(z.string()),
  indentLevel: z.number().int().min(0).nullable().optional(),
  preserveLineBreaks: z.boolean().nullable().optional(),
});

export const playSceneSchema = z.object({
  title: z.string(),
  lines: z.array(playLineSchema),
});

export const playActSchema = z.object({
  title: z.string(),
  scenes: z.array(playSceneSchema),
});

export const playCharacterSchema = z.object({
  name: z.string().min(1),
  aliases: z.array(z.string()),
  description: z.string().nullable().optional(),
});

export const parsedPlaySchema = z.object({
  title: z.string(),
  author: z.string(),
  year: z.number().int().nullable().optional(),
  genre: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  characters: z.array(playCharacterSchema),
  acts: z.array(playActSchema),
});

export type PlayLine = z.infer<typeof playLineSchema>;
export type PlayScene = z.infer<typeof playSceneSchema>;
export type PlayAct = z.infer<typeof playActSchema>;
export type PlayCharacter = z.infer<typeof playCharacterSchema>;
export type ParsedPlay = z.infer<typeof parsedPlaySchema>;
