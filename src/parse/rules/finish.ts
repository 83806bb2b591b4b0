import type { ParsedPlay, PlayLine } from '../play.js';
import type { Uncertain } from './analysis.js';
import type { Roster } from './characters.js';
import type { Draft } from './draft.js';

// The draft made into a play: every act has at least one scene, every note points at its line by
// position, and the cast lists who speaks and who is listed.

export type TitleFields = Pick<ParsedPlay, 'title' | 'author' | 'year' | 'genre'>;

export function finishDraft(
  { acts, notes, lastLine, speakersSeen }: Draft,
  roster: Roster,
  { title, author, year, genre }: TitleFields,
): { play: ParsedPlay; uncertain: Uncertain[] } {
  const play: ParsedPlay = {
    title,
    author,
    year,
    genre,
    description: null,
    characters: [],
    acts: [],
  };
  const where = new Map<PlayLine, [number, number, number]>();
  for (const a of acts) {
    if (a.scenes.length === 0) a.scenes.push({ title: '', lines: a.opening.splice(0) });
    const actIndex = play.acts.length;
    play.acts.push({
      title: a.title,
      scenes: a.scenes.map((s, sceneIndex) => {
        s.lines.forEach((l, lineIndex) => where.set(l, [actIndex, sceneIndex, lineIndex]));
        return { title: s.title, lines: s.lines };
      }),
    });
  }
  if (play.acts.length === 0) play.acts.push({ title: '', scenes: [{ title: '', lines: [] }] });
  play.characters = characterList(roster, speakersSeen);
  keepListedInDirections(play);
  const uncertain: Uncertain[] = notes.map((d) => {
    const line = d.line ?? lastLine;
    const [actIndex, sceneIndex, lineIndex] = (line && where.get(line)) ?? [0, 0, 0];
    return { kind: d.kind, actIndex, sceneIndex, lineIndex, text: d.text, sourceStart: d.start, sourceEnd: d.end };
  });
  return { play, uncertain };
}

/** Everyone in the cast list, and everyone else who speaks, once per name. */
function characterList(roster: Roster, speaking: Set<number>): ParsedPlay['characters'] {
  const out: ParsedPlay['characters'] = [];
  const used = new Set<string>();
  for (const p of roster.persons) {
    if (!p.fromCast && !speaking.has(p.id)) continue;
    const name = p.name;
    if (used.has(name)) continue;
    used.add(name);
    const aliases = [...p.labels].filter((l) => l !== name);
    out.push({ name, aliases: [...new Set(aliases)], description: p.description });
  }
  return out;
}

/** A direction names only characters of the play's list (not a label that turned out to be several). */
function keepListedInDirections(play: ParsedPlay): void {
  const listed = new Set(play.characters.map((c) => c.name));
  for (const act of play.acts) {
    for (const scene of act.scenes) {
      for (const line of scene.lines) {
        if (line.type === 'stage_direction' && line.characters.some((n) => !listed.has(n))) {
          line.characters = line.characters.filter((n) => listed.has(n));
        }
      }
    }
  }
}
