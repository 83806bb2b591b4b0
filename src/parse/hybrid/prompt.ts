import type { ParsedPlay, PlayCharacter, PlayLine } from '../play.js';
import { lineOf, type Region } from './regions.js';

// One passage, with just enough around it to be read: the characters of its scene, where it is, the
// lines before and after it as the rules read them, and the rules' own reading of it. The system prompt
// is the same for every passage, which lets providers cache it.

export const PASSAGE_OPEN = '<passage>';
export const PASSAGE_CLOSE = '</passage>';

const LINES_BEFORE = 3;
const CONTEXT_LINE_CHARS = 160;
// Who speaks is decided by the passage's opening; a long speech adds tokens, not information.
const PASSAGE_CHARS = 600;
// A scene with more speakers than this gets only those near the passage (a crowded final scene).
const MAX_CAST = 30;

export const REGION_SYSTEM_PROMPT = [
  'A rule-based reader has turned a theatre play script into speeches and stage directions, and marked a passage it could not read with certainty. Decide only what the passage is.',
  'Say whether the passage is spoken ("dialogue") or a stage direction ("stage_direction"). For dialogue, list the ids of everyone who speaks it; for a stage direction, the ids of the characters it concerns (may be empty).',
  'Mind the stage directions just before: a speech after an entrance is often by the character who entered, not by the previous speaker; a speech after an exit is not by whoever left.',
  'If the passage begins with a speaker label, copy the label exactly as printed into "label"; otherwise null.',
  'Use the cast ids you are given. For a speaker not on the cast, add a newCharacters entry with a new short lowercase id, the name and the labels the text uses as aliases, and use that id.',
].join('\n');

/** The cast a passage's prompt offers, as ids into the play's character list ("c1" is the first). */
export interface RegionCast {
  ids: string[];
  nameOf: Map<string, string>;
}

export function castId(characterIndex: number): string {
  return `c${characterIndex + 1}`;
}

export function regionCast(play: ParsedPlay, region: Region): RegionCast {
  const scene = play.acts[region.actIndex]!.scenes[region.sceneIndex]!;
  const near = scene.lines.slice(Math.max(0, region.lineIndex - LINES_BEFORE), region.lineIndex + 2);
  const inScene = new Set(scene.lines.flatMap((line) => line.characters));
  const nearby = new Set(near.flatMap((line) => line.characters));
  const chosen = inScene.size <= MAX_CAST ? inScene : nearby;
  const ids: string[] = [];
  const nameOf = new Map<string, string>();
  play.characters.forEach((character, i) => {
    if (chosen.size > 0 && !chosen.has(character.name)) return;
    if (chosen.size === 0 && ids.length >= MAX_CAST) return;
    ids.push(castId(i));
    nameOf.set(castId(i), character.name);
  });
  return { ids, nameOf };
}

export function buildRegionPrompt(play: ParsedPlay, region: Region, cast: RegionCast, passage: string): string {
  const act = play.acts[region.actIndex]!;
  const scene = act.scenes[region.sceneIndex]!;
  const line = lineOf(play, region)!;
  const idOf = new Map([...cast.nameOf].map(([id, name]) => [name, id]));
  const byId = new Map(play.characters.map((c) => [c.name, c]));
  const describe = (l: Pick<PlayLine, 'type' | 'characters'>) => {
    const who = l.characters.map((name) => idOf.get(name) ?? name).join('+');
    return l.type === 'dialogue' ? who : `stage direction${who ? `: ${who}` : ''}`;
  };

  const before: Array<Pick<PlayLine, 'type' | 'text' | 'characters'>> = scene.lines.slice(Math.max(0, region.lineIndex - LINES_BEFORE), region.lineIndex);
  const kept = line.text.slice(0, region.lineOffset).trim();
  if (kept) before.push({ ...line, text: kept });
  const after = scene.lines[region.lineIndex + 1];

  const parts = [
    ['Cast (id = name; aliases):', ...cast.ids.map((id) => castLine(id, byId.get(cast.nameOf.get(id)!)!))].join('\n'),
    `Act: ${act.title || 'untitled'}\nScene: ${scene.title || 'untitled'}`,
  ];
  if (before.length > 0) parts.push(['Lines before, as read:', ...before.map((l) => `[${describe(l)}] ${clip(l.text, CONTEXT_LINE_CHARS)}`)].join('\n'));
  parts.push(`Passage (read as ${describe(line)}):\n${PASSAGE_OPEN}\n${clipPassage(passage)}\n${PASSAGE_CLOSE}`);
  if (after) parts.push(`Next line, as read:\n[${describe(after)}] ${clip(after.text, CONTEXT_LINE_CHARS)}`);
  return parts.join('\n\n');
}

function castLine(id: string, character: PlayCharacter): string {
  return `${id} = ${character.name}${character.aliases.length > 0 ? `; ${character.aliases.join(', ')}` : ''}`;
}

/** The passage as printed (verse keeps its lines), cut short when long. */
function clipPassage(passage: string): string {
  const lines = passage.replace(/\r\n?/g, '\n').trim();
  return lines.length > PASSAGE_CHARS ? `${lines.slice(0, PASSAGE_CHARS)}…` : lines;
}

function clip(text: string, chars: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > chars ? `${flat.slice(0, chars)}…` : flat;
}
