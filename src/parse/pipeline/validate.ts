import { basename, extname } from 'node:path';
import { PermanentError } from '../../errors.js';
import { parsedPlaySchema, type ParsedPlay, type PlayCharacter, type PlayLine } from '../play.js';

// The design's minimum for a play worth storing, and the one canonical form every play leaves the
// pipeline in. `parse --json` and `export` print this form, so a direct parse and a stored play compare
// equal: absent optional fields become null, names are trimmed, duplicates merged.

export interface FinishedPlay {
  play: ParsedPlay;
  /** What was repaired on the way (merged duplicates, references dropped), for the job's history. */
  repairs: string[];
}

const MAX_LISTED = 5;

export function finishPlay(assembled: unknown, filename: string): FinishedPlay {
  const parsed = parsedPlaySchema.safeParse(assembled);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(play)'}: ${i.message}`);
    throw new PermanentError(`The parser produced a play in the wrong shape (${issues.join('; ')}).`);
  }
  const raw = parsed.data;
  const repairs: string[] = [];
  const characters = mergeCharacters(raw.characters, repairs);
  const resolve = nameResolver(characters);

  const missingSpeaker: string[] = [];
  const unknownSpeakers = new Set<string>();
  let lineCount = 0;
  const acts = raw.acts.map((act, a) => ({
    title: act.title.trim() || `Act ${a + 1}`,
    scenes: act.scenes.map((scene, s) => ({
      title: scene.title.trim() || `Scene ${s + 1}`,
      lines: scene.lines.map((line, l): PlayLine => {
        lineCount += 1;
        const where = `act ${a + 1}, scene ${s + 1}, line ${l + 1}`;
        const names: string[] = [];
        for (const ref of line.characters) {
          const name = resolve(ref);
          if (name === undefined) {
            if (line.type === 'dialogue') unknownSpeakers.add(ref);
            else repairs.push(`dropped "${ref}" from a stage direction (${where}): not in the cast`);
          } else if (!names.includes(name)) {
            names.push(name);
          }
        }
        if (line.type === 'dialogue' && line.characters.length === 0) missingSpeaker.push(where);
        return {
          type: line.type,
          text: line.text,
          characters: names,
          indentLevel: line.indentLevel ?? null,
          preserveLineBreaks: line.preserveLineBreaks ?? null,
        };
      }),
    })),
  }));

  const missing: string[] = [];
  if (characters.length === 0) missing.push('no characters were found');
  if (lineCount === 0) missing.push('no lines were found');
  if (missingSpeaker.length > 0) {
    missing.push(`${missingSpeaker.length} dialogue line${missingSpeaker.length === 1 ? ' has' : 's have'} no speaker (first at ${missingSpeaker[0]})`);
  }
  if (unknownSpeakers.size > 0) missing.push(`speakers missing from the cast: ${listSome([...unknownSpeakers])}`);
  if (missing.length > 0) throw new PermanentError(`The parsed play is not usable: ${missing.join('; ')}.`);

  return {
    play: {
      title: raw.title.trim() || titleFromFilename(filename),
      author: raw.author.trim(),
      year: raw.year ?? null,
      genre: raw.genre ?? null,
      description: raw.description ?? null,
      characters,
      acts,
    },
    repairs,
  };
}

export function titleFromFilename(filename: string): string {
  const base = basename(filename);
  return base.slice(0, base.length - extname(base).length).trim() || base || 'Untitled';
}

function mergeCharacters(input: PlayCharacter[], repairs: string[]): PlayCharacter[] {
  const byName = new Map<string, PlayCharacter>();
  for (const c of input) {
    const name = c.name.trim();
    const aliases = c.aliases.map((a) => a.trim()).filter((a) => a && a !== name);
    const known = byName.get(name);
    if (known) {
      repairs.push(`merged the duplicate character "${name}"`);
      for (const a of aliases) if (!known.aliases.includes(a)) known.aliases.push(a);
      known.description ??= c.description ?? null;
      continue;
    }
    byName.set(name, { name, aliases: [...new Set(aliases)], description: c.description ?? null });
  }
  return [...byName.values()];
}

/**
 * A reference resolves to a character by exact name, then by alias, then case-insensitively; a label that
 * would fit two characters resolves to neither rather than to a guess.
 */
function nameResolver(characters: PlayCharacter[]): (ref: string) => string | undefined {
  const exact = new Map<string, string>();
  const alias = new Map<string, string | null>();
  const folded = new Map<string, string | null>();
  const claim = (map: Map<string, string | null>, key: string, name: string) =>
    map.set(key, map.has(key) && map.get(key) !== name ? null : name);
  for (const c of characters) {
    exact.set(c.name, c.name);
    claim(folded, c.name.toLocaleLowerCase(), c.name);
    for (const a of c.aliases) {
      claim(alias, a, c.name);
      claim(folded, a.toLocaleLowerCase(), c.name);
    }
  }
  return (ref) => {
    const key = ref.trim();
    return exact.get(key) ?? alias.get(key) ?? folded.get(key.toLocaleLowerCase()) ?? undefined;
  };
}

function listSome(items: string[]): string {
  const shown = items.slice(0, MAX_LISTED).map((s) => `"${s}"`).join(', ');
  return items.length > MAX_LISTED ? `${shown} and ${items.length - MAX_LISTED} more` : shown;
}
