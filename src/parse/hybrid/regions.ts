import type { ParsedPlay, PlayLine } from '../play.js';
import { parseRules, type RulesResult, type UncertainKind } from '../rules/index.js';
import { parseCue } from '../rules/cues.js';

// The places where the rules parser was unsure, as lines of its own play. Each is one question for a
// model; everything else in the play is the rules' reading and is never touched.
//
// The rules report an uncertain passage by its source range and the line it ended up in. That line may
// hold more than the passage (a paragraph the rules appended to the speech before it), and the passage's
// speaker label may have been dropped from it, so the passage is looked up in the line's text: only the
// part from where the passage starts may change. A passage that cannot be found where the rules say is
// left as the rules read it rather than guessed at.

export interface Region {
  actIndex: number;
  sceneIndex: number;
  lineIndex: number;
  /** Where, in the line's text, the uncertain part starts; the text before it stays as the rules read it. */
  lineOffset: number;
  kinds: UncertainKind[];
  sourceStart: number;
  sourceEnd: number;
}

export interface RulesReading {
  rules: RulesResult;
  regions: Region[];
}

// A region is recognised by the passage's first characters, whitespace aside; long enough not to match by
// chance in a line of verse, short enough to stay inside what the rules rendered unchanged.
const NEEDLE_CHARS = 40;
// The rules attach a note to the next line they write, which may be a direction written just before the
// uncertain speech.
const LINES_LOOKED_AHEAD = 2;

export function readWithRules(text: string, filename: string): RulesReading {
  const rules = parseRules(text, { filename });
  const byLine = new Map<string, Region>();
  for (const note of rules.diagnostics.uncertain) {
    const passage = text.slice(note.sourceStart, note.sourceEnd);
    const found = locate(rules.play, note, passage);
    if (!found) continue;
    const key = `${note.actIndex}/${note.sceneIndex}/${found.lineIndex}`;
    const known = byLine.get(key);
    if (known) {
      if (!known.kinds.includes(note.kind)) known.kinds.push(note.kind);
      if (found.lineOffset < known.lineOffset) known.lineOffset = found.lineOffset;
      known.sourceStart = Math.min(known.sourceStart, note.sourceStart);
      known.sourceEnd = Math.max(known.sourceEnd, note.sourceEnd);
    } else {
      byLine.set(key, { actIndex: note.actIndex, sceneIndex: note.sceneIndex, ...found, kinds: [note.kind], sourceStart: note.sourceStart, sourceEnd: note.sourceEnd });
    }
  }
  // In text order, because regions become chunks and chunks follow the text.
  const regions = [...byLine.values()].sort((a, b) => a.sourceStart - b.sourceStart);
  return { rules, regions };
}

export function lineOf(play: ParsedPlay, region: Pick<Region, 'actIndex' | 'sceneIndex' | 'lineIndex'>): PlayLine | undefined {
  return play.acts[region.actIndex]?.scenes[region.sceneIndex]?.lines[region.lineIndex];
}

function locate(
  play: ParsedPlay,
  note: { actIndex: number; sceneIndex: number; lineIndex: number },
  passage: string,
): { lineIndex: number; lineOffset: number } | undefined {
  const lines = play.acts[note.actIndex]?.scenes[note.sceneIndex]?.lines ?? [];
  const trimmed = passage.trimStart();
  const cue = parseCue(trimmed);
  const needles = [needleOf(trimmed), cue ? needleOf(trimmed.slice(cue.textStart)) : ''].filter((n) => n !== '');
  for (let i = note.lineIndex; i < Math.min(lines.length, note.lineIndex + LINES_LOOKED_AHEAD + 1); i++) {
    for (const needle of needles) {
      const at = findIgnoringWhitespace(lines[i]!.text, needle);
      if (at >= 0) return { lineIndex: i, lineOffset: at };
    }
  }
  return undefined;
}

function needleOf(text: string): string {
  return text.replace(/\s+/g, '').slice(0, NEEDLE_CHARS);
}

/** Where `needle` (without whitespace) starts in `haystack` when whitespace is ignored; -1 if nowhere. */
function findIgnoringWhitespace(haystack: string, needle: string): number {
  const positions: number[] = [];
  let squeezed = '';
  for (let i = 0; i < haystack.length; i++) {
    if (/\s/.test(haystack[i]!)) continue;
    positions.push(i);
    squeezed += haystack[i];
  }
  const at = squeezed.indexOf(needle);
  return at < 0 ? -1 : positions[at]!;
}
