import type { Cue } from './cues.js';
import { wholeDirection, type Bracket } from './directions.js';
import type { Unit } from './layout.js';

// How this play is printed, measured over the whole of it: which brackets mark its directions, and the
// margin its speeches start at.

export const ALL_BRACKETS: Bracket[] = ['(', '[', '_'];

/**
 * The brackets the play's directions use. A bracket that stands as a paragraph of its own between
 * speeches marks directions; one that only ever opens a line inside a speech, in a play whose own
 * paragraphs of direction use another, encloses spoken words (an aside in verse) and is not taken for a
 * direction mark. Plays that never set a direction apart are judged by the lines that open with one.
 */
export function bracketsInUse(units: Unit[], from: number): Set<Bracket> {
  const lines: Record<Bracket, number> = { '(': 0, '[': 0, _: 0 };
  const alone: Record<Bracket, number> = { '(': 0, '[': 0, _: 0 };
  for (let i = from; i < units.length; i++) {
    const block = units[i]!.block;
    for (const line of block.lines) {
      const t = line.text.trim();
      const first = t[0] as Bracket;
      if (first in lines && wholeDirection(t, new Set([first]))) lines[first]++;
    }
    const first = block.lines[0]!.text.trimStart()[0] as Bracket;
    if (first in alone && wholeDirection(block.lines.map((l) => l.text.trim()).join(' '), new Set([first]))) alone[first]++;
  }
  const counts = Math.max(...Object.values(alone)) >= 2 ? alone : lines;
  const max = Math.max(...Object.values(counts));
  const allowed = new Set<Bracket>(ALL_BRACKETS.filter((b) => counts[b] >= Math.max(2, max * 0.15)));
  if (allowed.size === 0) {
    allowed.add('(');
    allowed.add('[');
  }
  return allowed;
}

/** The margin most cues start at: verse indentation is measured from it, and prose set well to its right is a direction. */
export function cueIndent(units: Unit[], cues: Map<number, Cue>): number {
  const counts = new Map<number, number>();
  for (const i of cues.keys()) {
    const ind = units[i]!.block.lines[0]!.indent;
    counts.set(ind, (counts.get(ind) ?? 0) + 1);
  }
  let best = 0;
  let bestN = -1;
  for (const [ind, n] of counts) if (n > bestN) [best, bestN] = [ind, n];
  return best;
}
