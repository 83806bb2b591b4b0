import type { Chunk } from '../parse/parser.js';

// How the LLM parser cuts a script. Groups start at act and scene headings, so scenes can be parsed at
// the same time; an act heading followed directly by a scene heading starts one group, not an empty one.
// Inside a group, chunks end at blank lines (where speeches end) and grow up to the chunk size; a single
// paragraph longer than that stays whole rather than being cut mid-speech. Headings are recognised by a
// deliberately plain rule (a short line made of an act/scene word and an optional number, in English,
// French or German): a heading it misses only makes a group longer, because the model marks acts and
// scenes itself.

export type HeadingKind = 'act' | 'scene';

export interface Heading {
  /** Offset of the heading line's first character. */
  start: number;
  /** Offset just past the heading line. */
  end: number;
  kind: HeadingKind;
  title: string;
}

export interface Group {
  name: string;
  start: number;
  end: number;
}

const ACT_WORDS = ['act', 'acte', 'akt', 'aufzug', 'aufzüge'];
const SCENE_WORDS = ['scene', 'scène', 'szene', 'auftritt'];
const NUMBER =
  '(?:[ivxlc]+|\\d+|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|one|two|three|four|five|' +
  'premier|première|deuxième|seconde?|troisième|quatrième|cinquième|sixième|septième|huitième|neuvième|dixième|' +
  'erster?|zweiter?|dritter?|vierter?|fünfter?|sechster?|siebe?n?ter?|achter?|neunter?|zehnter?)';
const WORD = `(${[...ACT_WORDS, ...SCENE_WORDS].join('|')})`;
// "ACT 1", "Scene IV.", "SCENE", "FIRST ACT", "Erster Aufzug", "SCÈNE PREMIÈRE"
const HEADING_LINE = new RegExp(`^(?:${WORD}(?:\\s+${NUMBER})?|${NUMBER}\\s+${WORD})\\.?$`, 'iu');
// French scenes name who is on stage: "SCÈNE II. Cléante, Élise." Only scenes: a cast list's
// "ACT I.  Algernon's flat" is a summary, not a heading.
const SCENE_WITH_PERSONS = new RegExp(`^(${SCENE_WORDS.join('|')})\\s+${NUMBER}\\.\\s+\\S.*$`, 'iu');
const MAX_HEADING_CHARS = 40;
const MAX_SCENE_WITH_PERSONS_CHARS = 160;

export function findHeadings(text: string): Heading[] {
  const headings: Heading[] = [];
  const lines = /[^\n]*(?:\n|$)/g;
  for (let match = lines.exec(text); match && match[0] !== ''; match = lines.exec(text)) {
    const line = match[0].trim();
    if (line.length === 0) continue;
    const heading =
      (line.length <= MAX_HEADING_CHARS ? HEADING_LINE.exec(line) : null) ??
      (line.length <= MAX_SCENE_WITH_PERSONS_CHARS ? SCENE_WITH_PERSONS.exec(line) : null);
    if (!heading) continue;
    const word = (heading[1] ?? heading[2]!).toLowerCase();
    headings.push({
      start: match.index,
      end: match.index + match[0].length,
      kind: ACT_WORDS.includes(word) ? 'act' : 'scene',
      title: line.replace(/\.$/, ''),
    });
  }
  return headings;
}

export function planGroups(text: string): Group[] {
  const headings = findHeadings(text);
  const starts: number[] = [];
  headings.forEach((heading, i) => {
    const previous = headings[i - 1];
    const followsItsAct = previous?.kind === 'act' && heading.kind === 'scene' && isOnlyDecoration(text.slice(previous.end, heading.start));
    if (!followsItsAct) starts.push(heading.start);
  });
  // Whatever precedes the first heading (title page, cast list) is a group of its own, unless it is blank.
  if (starts.length === 0 || (starts[0]! > 0 && text.slice(0, starts[0]).trim() !== '')) starts.unshift(0);
  else starts[0] = 0;
  return starts.map((start, i) => ({ name: `g${i}`, start, end: starts[i + 1] ?? text.length }));
}

export function planChunks(text: string, chunkSize: number): Chunk[] {
  if (text.length === 0) return [];
  const chunks: Chunk[] = [];
  for (const group of planGroups(text)) {
    const cuts = paragraphStarts(text, group.start, group.end);
    let start = group.start;
    while (start < group.end) {
      const fitting = cuts.filter((cut) => cut > start && cut - start <= chunkSize);
      const end = fitting.at(-1) ?? cuts.find((cut) => cut > start) ?? group.end;
      chunks.push({ index: chunks.length, group: group.name, start, end });
      start = end;
    }
  }
  return chunks;
}

/** The offsets where a paragraph begins after a blank line, plus the group's end. */
function paragraphStarts(text: string, from: number, to: number): number[] {
  const cuts: number[] = [];
  const blankLines = /\r?\n[ \t]*\r?\n\s*/g;
  blankLines.lastIndex = from;
  for (let match = blankLines.exec(text); match && match.index < to; match = blankLines.exec(text)) {
    const at = match.index + match[0].length;
    if (at < to) cuts.push(at);
  }
  cuts.push(to);
  return cuts;
}

function isOnlyDecoration(between: string): boolean {
  return /^[\s=\-*_~#]*$/.test(between);
}
