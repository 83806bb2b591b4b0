import { Roster, labelKey } from './characters.js';
import { parseCue, type Cue } from './cues.js';
import { labelShape } from './joint.js';
import { acceptLabels, collectStats, lowerCaseCounter, shortenCue, type Candidate, type LabelStats, type LowerCount } from './labels.js';
import { findStructure, type Structure, type Unit } from './layout.js';
import { pieceOf, type Piece } from './piece.js';
import { makeBlock } from './text.js';

// Which paragraphs, and which lines inside paragraphs, open with a speaker's cue.

// A later line of a paragraph can open a speech only with a word in capitals or a name and a colon.
const LINE_CUE_START = /^(?:\d{1,2}\.?\s+)?(?:\p{Lu}[\p{Lu}\p{M}'’-]+(?![\p{Ll}])|[^:]{1,40}:)/u;
// A later line of a paragraph opens a speech only after a line that ends a sentence.
const ENDS_SENTENCE = /[.!?:;)\]"”’…—-]\s*$/;

export interface Cues {
  structure: Structure;
  roster: Roster;
  castEnd: number;
  stats: Map<string, LabelStats>;
  accepted: Set<string>;
  rejected: Set<string>;
  lowerCounts: LowerCount;
  cueUnits: Map<number, Cue>;
  /** Accepted cues at the start of later lines: unit → line index → cue. */
  lineCues: Map<number, Map<number, Cue>>;
  pieceAt: (i: number) => Piece;
}

/** Finds the speaker cues of the play's paragraphs and decides which labels are speakers. */
export function readCues(text: string, units: Unit[]): Cues {
  const structure = findStructure(units);
  const roster = new Roster(structure.cast);
  const castEnd = structure.castRange ? structure.castRange[1] : 0;
  const scanFrom = structure.startUnit ?? castEnd;
  const candidates: Candidate[] = [];
  const lineCandidates: Array<{ unit: number; line: number; cue: Cue }> = [];
  const pieces = new Map<number, Piece>();
  const pieceAt = (i: number) => {
    let p = pieces.get(i);
    if (!p) {
      p = pieceOf(units[i]!.block);
      pieces.set(i, p);
    }
    return p;
  };
  for (let i = scanFrom; i < units.length; i++) {
    const u = units[i]!;
    if (u.headings) continue;
    const piece = pieceAt(i);
    const cue = parseCue(piece.joined);
    if (cue && (cue.sep !== 'alone' || cue.textStart < piece.joined.length || nextIsText(units, i))) {
      candidates.push({ unit: i, cue, key: labelKey(cue.label), atBlockStart: true, inlineText: cue.textStart < piece.joined.length });
    }
    // One speech per line (`Lud. Who keeps the gate?` / `Fab. Not I.`): a name in ordinary case opens a
    // line's speech only when the line before also opened with a speaker and a speech.
    let previousOpened = cue !== null && cue.sep !== 'alone' && cue.textStart < piece.lines[0]!.text.length;
    for (let k = 1; k < piece.lines.length; k++) {
      const line = piece.lines[k]!.text;
      const opened = previousOpened;
      previousOpened = false;
      if (!LINE_CUE_START.test(line) && !opened) continue;
      const lineCue = parseCue(line);
      if (!lineCue || lineCue.sep === 'none' || lineCue.sep === 'alone' || lineCue.sep === 'comma') continue;
      const afterSentence = ENDS_SENTENCE.test(piece.lines[k - 1]!.text);
      if (!lineCue.upper && !(afterSentence && (opened || lineCue.sep === 'colon'))) continue;
      previousOpened = lineCue.textStart < line.length;
      lineCandidates.push({ unit: i, line: k, cue: lineCue });
    }
  }
  // Cues inside paragraphs count only in the case the play prints its cues in (`Saranoff: your hand`
  // is an address in a play of `SERGIUS.` cues).
  const upperShare = candidates.filter((c) => c.cue.upper).length / Math.max(1, candidates.length);
  for (const c of lineCandidates) {
    if (candidates.length >= 10 && c.cue.upper !== upperShare >= 0.5) continue;
    const line = pieceAt(c.unit).lines[c.line]!.text;
    candidates.push({ unit: c.unit, cue: c.cue, key: labelKey(c.cue.label), atBlockStart: false, inlineText: c.cue.textStart < line.length });
  }
  const bodyText = scanFrom < units.length ? text.slice(units[scanFrom]!.block.start, units[units.length - 1]!.block.end) : '';
  const stats = collectStats(candidates);
  const lowerCounts = lowerCaseCounter(bodyText);
  const { accepted, rejected } = acceptLabels(stats, roster, lowerCounts);
  const cueUnits = new Map<number, Cue>();
  const isSpeaker = (label: string) => {
    const shape = labelShape(label);
    if (accepted.has(labelKey(label))) return true;
    return shape.kind === 'joint' && shape.parts.every((p) => accepted.has(labelKey(p)));
  };
  for (const c of candidates) {
    if (!c.atBlockStart) continue;
    if (accepted.has(c.key)) cueUnits.set(c.unit, c.cue);
    else {
      const shorter = shortenCue(c.cue, pieceAt(c.unit).joined, isSpeaker);
      if (shorter) cueUnits.set(c.unit, shorter);
    }
  }
  const lineCues = new Map<number, Map<number, Cue>>();
  for (const c of lineCandidates) {
    const key = labelKey(c.cue.label);
    // Printed as the play prints that speaker's cues: `Bluntschli: my hand` in a play of `BLUNTSCHLI.`
    // cues is an address, not a cue.
    const st = stats.get(key);
    if (!accepted.has(key) || !st || c.cue.upper !== st.upper * 2 >= st.count) continue;
    if (!lineCues.has(c.unit)) lineCues.set(c.unit, new Map());
    lineCues.get(c.unit)!.set(c.line, c.cue);
  }
  return { structure, roster, castEnd, stats, accepted, rejected, lowerCounts, cueUnits, lineCues, pieceAt };
}

/** Paragraphs printed without blank lines between speeches, cut at each speaker's cue; null if none. */
export function splitAtLineCues(units: Unit[], cues: Cues): Unit[] | null {
  if (cues.lineCues.size === 0) return null;
  const out: Unit[] = [];
  units.forEach((u, i) => {
    const at = cues.lineCues.get(i);
    if (!at) return out.push(u);
    let from = 0;
    for (let k = 1; k < u.block.lines.length; k++) {
      if (!at.has(k)) continue;
      out.push({ block: makeBlock(u.block.lines.slice(from, k), from === 0 ? u.block.blankBefore : 0), headings: null });
      from = k;
    }
    out.push({ block: makeBlock(u.block.lines.slice(from), from === 0 ? u.block.blankBefore : 0), headings: null });
  });
  return out;
}

function nextIsText(units: Unit[], i: number): boolean {
  const next = units[i + 1];
  return !!next && !next.headings && next.block.blankBefore <= 2;
}
