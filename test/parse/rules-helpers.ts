import { parsedPlaySchema, type ParsedPlay, type PlayLine } from '../../src/parse/play.js';
import { parseRules } from '../../src/parse/rules/index.js';

export function parse(text: string): ParsedPlay {
  const { play } = parseRules(text);
  parsedPlaySchema.parse(play);
  return play;
}

export function allLines(play: ParsedPlay): PlayLine[] {
  return play.acts.flatMap((a) => a.scenes.flatMap((s) => s.lines));
}

export function speeches(play: ParsedPlay): PlayLine[] {
  return allLines(play).filter((l) => l.type === 'dialogue');
}

export function directions(play: ParsedPlay): PlayLine[] {
  return allLines(play).filter((l) => l.type === 'stage_direction');
}

/** Speakers of the first speech whose text starts with `prefix` (whitespace-insensitive). */
export function whoSays(play: ParsedPlay, prefix: string): string[] | undefined {
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
  return speeches(play).find((l) => norm(l.text).startsWith(norm(prefix)))?.characters;
}

/** A scene of speeches, one per block, for snippets. */
export function scene(...blocks: string[]): string {
  return blocks.join('\n\n') + '\n';
}
