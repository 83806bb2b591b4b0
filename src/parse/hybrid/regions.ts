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
// How far from the line a note names its passage may be (see locatePassage).
const LINES_LOOKED_AROUND = 2;

export function readWithRules(text: string, filename: string): RulesReading {
  const rules = parseRules(text, { filename });
  const byLine = new Map<string, Region>();
  for (const note of rules.diagnostics.uncertain) {
    const passage = text.slice(note.sourceStart, note.sourceEnd);
    const found = locatePassage(rules.play, note, passage);
    if (!found) continue;
    const key = `${found.actIndex}/${found.sceneIndex}/${found.lineIndex}`;
    const known = byLine.get(key);
    if (known) {
      if (!known.kinds.includes(note.kind)) known.kinds.push(note.kind);
      if (found.lineOffset < known.lineOffset) known.lineOffset = found.lineOffset;
      known.sourceStart = Math.min(known.sourceStart, note.sourceStart);
      known.sourceEnd = Math.max(known.sourceEnd, note.sourceEnd);
    } else {
      byLine.set(key, { ...found, kinds: [note.kind], sourceStart: note.sourceStart, sourceEnd: note.sourceEnd });
    }
  }
  // In text order, because regions become chunks and chunks follow the text.
  const regions = [...byLine.values()].sort((a, b) => a.sourceStart - b.sourceStart);
  return { rules, regions };
}

export function lineOf(play: ParsedPlay, region: Pick<Region, 'actIndex' | 'sceneIndex' | 'lineIndex'>): PlayLine | undefined {
  return play.acts[region.actIndex]?.scenes[region.sceneIndex]?.lines[region.lineIndex];
}

/**
 * Where the rules put the passage `note` reports: the line the note names or one near it. The rules attach
 * a note to the next line they write, which may come after the passage (a direction written first) or, for
 * a paragraph they ran on into the speech before, after the line that holds it, even in the next scene.
 */
export function locatePassage(
  play: ParsedPlay,
  note: { actIndex: number; sceneIndex: number; lineIndex: number },
  passage: string,
): { actIndex: number; sceneIndex: number; lineIndex: number; lineOffset: number } | undefined {
  const trimmed = passage.trimStart();
  const cue = parseCue(trimmed);
  const needles = [needleOf(trimmed), cue ? needleOf(trimmed.slice(cue.textStart)) : ''].filter((n) => n !== '');
  for (const at of nearbyLines(play, note)) {
    const text = play.acts[at.actIndex]!.scenes[at.sceneIndex]!.lines[at.lineIndex]!.text;
    for (const needle of needles) {
      const lineOffset = findIgnoringWhitespace(text, needle);
      if (lineOffset >= 0) return { ...at, lineOffset };
    }
  }
  return undefined;
}

/** The noted line first, then outwards; lines before the scene's start are the previous scene's last. */
function nearbyLines(play: ParsedPlay, note: { actIndex: number; sceneIndex: number; lineIndex: number }) {
  const scenes = play.acts.flatMap((act, actIndex) => act.scenes.map((scene, sceneIndex) => ({ actIndex, sceneIndex, lines: scene.lines.length })));
  const here = scenes.findIndex((s) => s.actIndex === note.actIndex && s.sceneIndex === note.sceneIndex);
  const out: Array<{ actIndex: number; sceneIndex: number; lineIndex: number }> = [];
  if (here < 0) return out;
  const at = (distance: number) => {
    let scene = here;
    let line = note.lineIndex + distance;
    while (line < 0 && scene > 0) line += scenes[--scene]!.lines;
    if (line >= 0 && line < scenes[scene]!.lines) out.push({ actIndex: scenes[scene]!.actIndex, sceneIndex: scenes[scene]!.sceneIndex, lineIndex: line });
  };
  for (let distance = 0; distance <= LINES_LOOKED_AROUND; distance++) {
    at(distance);
    if (distance > 0) at(-distance);
  }
  return out;
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
