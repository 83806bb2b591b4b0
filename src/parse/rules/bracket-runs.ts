import type { Cue } from './cues.js';
import type { Bracket } from './directions.js';
import type { Unit } from './layout.js';
import type { Piece } from './piece.js';

// A direction whose bracket opens in one paragraph and closes a few paragraphs later
// (`(SCENE.--A room…` … `…opened the door.)`): each of its paragraphs is read as a direction.

/** The last unit of a bracketed direction that starts at unit `i` and runs over several, or -1. */
export function bracketRunEnd(
  units: Unit[],
  i: number,
  cueUnits: Map<number, Cue>,
  pieceAt: (i: number) => Piece,
  allowed: ReadonlySet<Bracket>,
): number {
  const t = pieceAt(i).joined;
  const open = t[0];
  if ((open !== '(' && open !== '[') || !allowed.has(open) || cueUnits.has(i)) return -1;
  const close = open === '(' ? ')' : ']';
  if (t.includes(close)) return -1;
  for (let k = i + 1; k < Math.min(units.length, i + 4); k++) {
    if (units[k]!.headings || cueUnits.has(k)) return -1;
    const n = pieceAt(k).joined;
    if (n.includes(open)) return -1;
    const at = n.indexOf(close);
    if (at >= 0) return at === n.lastIndexOf(close) && /^[\s.,;:!?]*$/.test(n.slice(at + 1)) ? k : -1;
  }
  return -1;
}

/** One paragraph of such a run without the run's opening or closing bracket. */
export function unbracket(text: string, first: boolean, last: boolean): string {
  let t = text;
  if (first) t = t.slice(1);
  if (last) t = t.replace(/[)\]][\s.,;:!?]*$/, '');
  return t;
}
