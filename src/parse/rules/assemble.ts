import type { ParsedPlay, PlayLine } from '../play.js';
import { Roster, isNumbered, labelKey, type Person } from './characters.js';
import { parseCue, type Cue } from './cues.js';
import {
  OPENING,
  buildNameIndex,
  isBareDirection,
  isSettingLabel,
  readMovement,
  spokenLength,
  splitSpeech,
  tidyDirection,
  wholeDirection,
  type Bracket,
} from './directions.js';
import { MIN_PLAY_SPEECHES, joinPlays, splitPlays, type PlayText } from './anthology.js';
import { findEnvelope, readTitlePage, tidyTitle } from './frontmatter.js';
import { isPluralOf, labelShape } from './joint.js';
import { acceptLabels, collectStats, lowerCaseCounter, shortenCue, type Candidate, type LowerCount } from './labels.js';
import { findStructure, type Unit } from './layout.js';
import { pieceOf, slicePiece, sourceAt, sourceEnd, type Piece } from './piece.js';
import { displayCase, makeBlock, nameKey, splitLines, squash } from './text.js';
import { render, wrapWidthOf } from './verse.js';

// The parse itself: paragraphs in, acts, scenes, speeches and directions out.

export type UncertainKind = 'unattributed' | 'unknown-label' | 'unclassified-block' | 'joint-unknown';

export interface Uncertain {
  kind: UncertainKind;
  actIndex: number;
  sceneIndex: number;
  lineIndex: number;
  text: string;
  sourceStart: number;
  sourceEnd: number;
}

export interface Boundary {
  offset: number;
  kind: 'act' | 'scene' | 'speech';
}

export interface Analysis {
  play: ParsedPlay;
  uncertain: Uncertain[];
  boundaries: Boundary[];
  speeches: number;
  /** Speakers with two speeches or more. */
  speakers: number;
  /** Share of the play's paragraphs that open a speech: low for prose that is not a play. */
  cueShare: number;
}

interface DraftScene {
  title: string;
  lines: PlayLine[];
}
interface DraftAct {
  title: string;
  scenes: DraftScene[];
  /** Lines before the act's first scene heading (an act-opening direction). */
  opening: PlayLine[];
}

const ALL_BRACKETS: Bracket[] = ['(', '[', '_'];
// A later line of a paragraph can open a speech only with a word in capitals or a name and a colon.
const LINE_CUE_START = /^(?:\d{1,2}\.?\s+)?(?:\p{Lu}[\p{Lu}\p{M}'’-]+(?![\p{Ll}])|[^:]{1,40}:)/u;

function bracketsInUse(units: Unit[], from: number): Set<Bracket> {
  const counts: Record<Bracket, number> = { '(': 0, '[': 0, _: 0 };
  for (let i = from; i < units.length; i++) {
    for (const line of units[i]!.block.lines) {
      const t = line.text.trim();
      const first = t[0] as Bracket;
      if (first in counts && wholeDirection(t, new Set([first]))) counts[first]++;
    }
  }
  const max = Math.max(...Object.values(counts));
  const allowed = new Set<Bracket>(ALL_BRACKETS.filter((b) => counts[b] >= Math.max(2, max * 0.15)));
  if (allowed.size === 0) {
    allowed.add('(');
    allowed.add('[');
  }
  return allowed;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// A later line of a paragraph opens a speech only after a line that ends a sentence.
const ENDS_SENTENCE = /[.!?:;)\]"”’…—-]\s*$/;

interface Cues {
  structure: ReturnType<typeof findStructure>;
  roster: Roster;
  castEnd: number;
  stats: ReturnType<typeof collectStats>;
  accepted: Set<string>;
  rejected: Set<string>;
  lowerCounts: LowerCount;
  cueUnits: Map<number, Cue>;
  /** Accepted cues at the start of later lines: unit → line index → cue. */
  lineCues: Map<number, Map<number, Cue>>;
  pieceAt: (i: number) => Piece;
}

/** Finds the speaker cues of the play's paragraphs and decides which labels are speakers. */
function readCues(text: string, units: Unit[]): Cues {
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
function splitAtLineCues(units: Unit[], cues: Cues): Unit[] | null {
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

export function analyze(text: string, filename?: string): Analysis {
  const lines = splitLines(text);
  const env = findEnvelope(lines);
  const plays = splitPlays(lines, env.ranges);
  const analyses = plays.map((p) => analyzePlay(text, p, env, filename));
  if (analyses.length === 1) return analyses[0]!;
  // Several plays in one text: those that are plays, one after another, with one cast.
  const real = analyses.filter((a) => a.speeches >= MIN_PLAY_SPEECHES);
  return joinPlays(real.length ? real : analyses);
}

/** One play's analysis, from the lines and paragraphs of the text that belong to it. */
function analyzePlay(text: string, playText: PlayText, env: { title: string | null; author: string | null }, filename?: string): Analysis {
  const bodyLines = playText.lines;
  let units = playText.units;
  let cues = readCues(text, units);
  const resplit = splitAtLineCues(units, cues);
  if (resplit) {
    units = resplit;
    cues = readCues(text, units);
  }
  const { structure, roster, castEnd, stats, accepted, rejected, lowerCounts, cueUnits, pieceAt } = cues;
  const titlePage = readTitlePage(bodyLines);
  const title = env.title ?? (titlePage.title ? tidyTitle(titlePage.title) : null) ?? filenameTitle(filename);
  const author = env.author ?? titlePage.author ?? '';

  let startUnit = structure.startUnit;
  if (startUnit === null) {
    const firstCue = [...cueUnits.keys()].filter((u) => u >= castEnd).sort((a, b) => a - b)[0];
    startUnit = firstCue === undefined ? units.length : structure.castRange && castEnd <= firstCue ? castEnd : firstCue;
    // The setting printed just before the first speech belongs to the play, with its `SCENE.` label.
    let first: number = startUnit;
    for (;;) {
      const before = first - 1;
      if (before >= castEnd && isSetting(units[before]!, pieceAt(before))) first = before;
      else if (before - 1 >= castEnd && !units[before - 1]!.headings && isSettingLabel(pieceAt(before - 1).joined)) first = before - 1;
      else break;
    }
    startUnit = first;
  }

  // 2. Speakers: solo labels resolved against the cast and each other.
  const soloLabels: Array<{ label: string; count: number }> = [];
  const adjacentPairs = new Set<string>();
  let prevKey: string | null = null;
  for (let i = startUnit; i < units.length; i++) {
    if (units[i]!.headings) {
      prevKey = null;
      continue;
    }
    const cue = cueUnits.get(i);
    if (!cue) continue;
    const key = labelKey(cue.label);
    if (labelShape(cue.label).kind !== 'solo') continue;
    if (prevKey && prevKey !== key) adjacentPairs.add(`${prevKey}|${key}`).add(`${key}|${prevKey}`);
    prevKey = key;
  }
  for (const [key, s] of stats) {
    if (!accepted.has(key)) continue;
    const shape = labelShape(s.printed);
    if (shape.kind === 'solo') soloLabels.push({ label: s.printed, count: s.count });
    if (shape.kind === 'joint') for (const p of shape.parts) if (!stats.has(labelKey(p))) soloLabels.push({ label: p, count: 0 });
  }
  const byLabel = roster.resolve(soloLabels, (a, b) => adjacentPairs.has(`${a}|${b}`));
  revealIdentities(
    [...cueUnits.entries()].filter(([u]) => u >= startUnit!).sort((a, b) => a[0] - b[0]),
    byLabel,
    lowerCounts,
    (u) => (u >= 0 && !units[u]!.headings ? pieceAt(u).joined : ''),
  );
  const nameIndex = buildNameIndex(
    roster.persons.map((p) => ({ id: p.id, names: [p.name, ...p.labels, ...distinctiveTokens(p, roster.persons)] })),
  );
  const speaking = new Set([...byLabel.values()].map((p) => p.id));
  // Who speaks alone in each scene, for labels such as `MURDERERS` that name several of them.
  const sceneSpeakers = new Map<number, Set<number>>();
  {
    let no = 0;
    for (let i = startUnit; i < units.length; i++) {
      if (units[i]!.headings) no++;
      const cue = cueUnits.get(i);
      const p = cue && byLabel.get(labelKey(cue.label));
      if (!p) continue;
      if (!sceneSpeakers.has(no)) sceneSpeakers.set(no, new Set());
      sceneSpeakers.get(no)!.add(p.id);
    }
  }
  let sceneNo = 0;
  const headsOf = new Map<string, Person[]>();
  for (const [key, p] of byLabel) {
    const head = key.split(' ').pop()!;
    const list = headsOf.get(head) ?? [];
    if (!list.includes(p)) list.push(p);
    headsOf.set(head, list);
  }

  const allowed = bracketsInUse(units, startUnit);
  const wrapWidth = wrapWidthOf(bodyLines.filter((l) => !l.blank).map((l) => l.text.length));
  const baseIndent = modeIndent(units, cueUnits);
  const embedded = embeddedCuePattern(stats, accepted);

  // 3. Walk the play.
  const acts: DraftAct[] = [];
  const uncertainDrafts: Array<{ kind: UncertainKind; line: PlayLine | null; text: string; start: number; end: number }> = [];
  // Notes wait for the line they concern, which is the next one written.
  let waiting: typeof uncertainDrafts = [];
  let lastLine: PlayLine | null = null;
  const boundaries: Boundary[] = [];
  const speakersSeen = new Set<number>();
  const speechesBy = new Map<number, number>();
  let speechCount = 0;
  let present: number[] = [];
  let recent: number[] = [];
  let current: number[] | null = null;
  let openDialogue: PlayLine | null = null;
  let speechOpening: PlayLine | null = null;
  let afterDirection = false;

  const act = () => {
    if (acts.length === 0) acts.push({ title: '', scenes: [], opening: [] });
    return acts[acts.length - 1]!;
  };
  const resetScene = () => {
    present = [];
    recent = [];
    current = null;
    openDialogue = null;
  };
  const emit = (line: PlayLine) => {
    const a = act();
    const scene = a.scenes[a.scenes.length - 1];
    (scene ? scene.lines : a.opening).push(line);
    for (const w of waiting) w.line = line;
    waiting = [];
    lastLine = line;
    return line;
  };
  const names = (ids: number[]) => ids.map((id) => roster.persons[id]!.name);
  const direction = (body: string, who?: number[]) => {
    const t = tidyDirection(squash(body));
    if (!t) return;
    const mentioned = who ?? nameIndex.find(t);
    emit({ type: 'stage_direction', text: t, characters: names(mentioned) });
    applyMovement(t);
    openDialogue = null;
    afterDirection = true;
  };
  const applyMovement = (t: string) => {
    const move = readMovement(t, nameIndex);
    if (move.clear) present = [...move.stay];
    if (move.speakerLeaves && current) present = present.filter((id) => !current!.includes(id));
    present = present.filter((id) => !move.exit.includes(id));
    for (const id of move.enter) if (speaking.has(id) && !present.includes(id)) present.push(id);
  };
  // The next paragraph goes on with the same speech.
  const continues = (i: number): boolean => {
    const next = units[i + 1];
    if (!next || next.headings || cueUnits.has(i + 1)) return false;
    const t = pieceAt(i + 1).joined;
    return wholeDirection(t, allowed) === null && !isBareDirection(t);
  };
  const note = (kind: UncertainKind, line: PlayLine | null, t: string, start: number, end: number) => {
    const d = { kind, line, text: squash(t).slice(0, 200), start, end };
    uncertainDrafts.push(d);
    if (!line) waiting.push(d);
  };

  const kinds = new Map<string, Person[] | null>();
  // The persons a plural label names (`MURDERERS` → FIRST MURDERER, SECOND MURDERER), if it is one.
  const kindOf = (key: string, noun: string): Person[] | null => {
    if (!kinds.has(key)) {
      let found: Person[] | null = null;
      for (const [head, persons] of headsOf) if (persons.length >= 2 && isPluralOf(noun, head)) found = persons;
      kinds.set(key, found);
    }
    return kinds.get(key)!;
  };
  const speakersFor = (cue: Cue, start: number, end: number): number[] => {
    const shape = labelShape(cue.label);
    const key = labelKey(cue.label);
    if (shape.kind === 'joint') {
      const ids = shape.parts.map((p) => byLabel.get(labelKey(p)) ?? roster.castMatch(p));
      if (ids.every((p): p is Person => p !== null && p !== undefined)) return unique(ids.map((p) => p.id));
    }
    if (shape.kind === 'everyone') {
      const last = current ?? [];
      // `ALL` after `THIRD WITCH`: the witches, together.
      const troupe = last.length ? numberedHead(roster.persons[last[0]!]!) : null;
      if (troupe) {
        const members = present.filter((id) => numberedHead(roster.persons[id]!) === troupe);
        if (members.length >= 2) return members;
      }
      // Otherwise everyone on stage answers the one who just spoke.
      const others = shape.pair ? recent.filter((id) => !last.includes(id)).slice(0, 2) : present.filter((id) => !last.includes(id));
      const group = others.length >= (shape.pair ? 2 : 1) ? others : present;
      if (group.length >= 1) return group;
      note('joint-unknown', null, cue.label, start, end);
    }
    if (shape.kind === 'solo') {
      // `MURDERERS`, `DIE BEIDEN MÄGDE`: those of that kind on stage, else those who speak in this scene.
      const persons = kindOf(key, shape.noun);
      if (persons) {
        const here = present.filter((id) => persons.some((p) => p.id === id)).map((id) => roster.persons[id]!);
        const inScene = persons.filter((p) => sceneSpeakers.get(sceneNo)?.has(p.id));
        const chosen = here.length >= 2 ? here : inScene.length >= 2 ? inScene : persons.length === 2 || !shape.pair ? persons : [];
        if (chosen.length >= 2) return chosen === here ? here.map((p) => p.id) : chosen.map((p) => p.id).sort((a, b) => a - b);
      }
    }
    const own = byLabel.get(key) ?? roster.castMatch(cue.label);
    if (own) return [own.id];
    const p = roster.persons.find((x) => labelKey(x.name) === key) ?? roster.addPerson(displayCase(cue.label), null, false);
    byLabel.set(key, p);
    p.labels.add(cue.label);
    return [p.id];
  };

  const speak = (ids: number[], piece: Piece, unitStart: number) => {
    const segments = splitSpeech(piece.joined, allowed);
    for (const seg of segments) {
      const part = slicePiece(piece, seg.start, seg.end);
      if (seg.kind === 'direction') {
        direction(seg.text);
        continue;
      }
      const r = render(part.lines, baseIndent, wrapWidth);
      if (!r.text) continue;
      if (openDialogue) {
        openDialogue.text += (openDialogue.preserveLineBreaks || r.preserveLineBreaks ? '\n' : ' ') + r.text;
        if (r.preserveLineBreaks) openDialogue.preserveLineBreaks = true;
      } else {
        openDialogue = emit({
          type: 'dialogue',
          text: r.text,
          characters: names(ids),
          indentLevel: r.indentLevel,
          preserveLineBreaks: r.preserveLineBreaks,
        });
        if (unitStart < 0 && !speechOpening) speechOpening = openDialogue;
        if (afterDirection && ids === current && unitStart >= 0) {
          note('unattributed', openDialogue, r.text, sourceAt(piece, seg.start), sourceEnd(part));
        }
      }
      afterDirection = false;
    }
  };

  // A speech opened by `cue` in `piece`; splits off any further speeches printed in the same paragraph.
  const speech = (cue: Cue, piece: Piece) => {
    const start = sourceAt(piece, 0);
    boundaries.push({ offset: start, kind: 'speech' });
    const ids = speakersFor(cue, start, sourceEnd(piece));
    speechCount++;
    for (const id of ids) {
      speakersSeen.add(id);
      speechesBy.set(id, (speechesBy.get(id) ?? 0) + 1);
    }
    current = ids;
    speechOpening = null;
    recent = [...ids, ...recent.filter((id) => !ids.includes(id))];
    for (const id of ids) if (!present.includes(id)) present.push(id);
    openDialogue = null;
    afterDirection = false;
    if (cue.direction) direction(cue.direction, ids);
    afterDirection = false;
    let body = cue.textStart;
    const next = findEmbeddedCue(piece.joined, body, embedded, (c) => {
      const p = byLabel.get(labelKey(c.label));
      return !p || !ids.includes(p.id);
    });
    const end = next ? next.at : piece.joined.length;
    speak(ids, slicePiece(piece, body, end), -1);
    if (next) {
      body = next.at;
      speech(next.cue, slicePiece(piece, body));
    }
  };

  const paragraph = (piece: Piece, unitIndex: number | null, cueHint: Cue | null) => {
    const t = piece.joined;
    const start = sourceAt(piece, 0);
    const end = sourceEnd(piece);
    const cue = cueHint ?? (unitIndex === null ? acceptedCue(t) : null);
    if (cue) return speech(cue, piece);
    const whole = wholeDirection(t, allowed);
    if (whole !== null) {
      // `DUNCAN  Give me your hand. / [Taking her hand.] / Conduct me…`: after a short opening the
      // direction stays in the speech, as for a direction on its own line.
      const opening = speechOpening;
      if (opening && opening === openDialogue && spokenLength(opening.text) < OPENING && unitIndex !== null && continues(unitIndex)) {
        opening.text += `${opening.preserveLineBreaks ? '\n' : ' '}${squash(t)}`;
        applyMovement(whole);
        return;
      }
      return direction(whole);
    }
    // A direction that runs into a speech (`(The MAID ushers in Mrs. LINDE.) Mrs. Linde (timidly). How do you do`).
    const first = t[0] as Bracket;
    if (allowed.has(first) && first !== '_') {
      const segs = splitSpeech(t, new Set([first]));
      if (segs.length > 1 && segs[0]!.kind === 'direction') {
        direction(segs[0]!.text);
        return paragraph(slicePiece(piece, segs[0]!.end), null, null);
      }
    }
    if (isBareDirection(t)) return direction(t);
    const indented = piece.lines[0]!.indent >= baseIndent + 2 && looksLikeProse(piece);
    if (current && !indented) {
      if (unitIndex !== null) {
        const rejectedCue = parseCue(t);
        if (rejectedCue && rejected.has(labelKey(rejectedCue.label)) && rejectedCue.sep !== 'none') {
          note('unknown-label', null, t, start, end);
        }
      }
      return speak(current, piece, unitIndex ?? -1);
    }
    if (!indented && !current && looksLikeSpeech(t)) note('unclassified-block', null, t, start, end);
    direction(t);
  };

  // `SCENE.` on its own, then the setting: the label adds nothing to the direction that follows it.
  const opensSetting = (i: number): boolean => i < units.length && !units[i]!.headings && !cueUnits.has(i);
  // A direction whose bracket opens in one paragraph and closes a few paragraphs later: the last unit of
  // it, or -1.
  const bracketRunEnd = (i: number): number => {
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
  };

  const acceptedCue = (t: string): Cue | null => {
    const cue = parseCue(t);
    return cue && accepted.has(labelKey(cue.label)) ? cue : null;
  };

  for (let i = startUnit; i < units.length; i++) {
    const u = units[i]!;
    if (u.headings) {
      sceneNo++;
      if (!structure.headingUnits.has(i)) continue;
      for (const h of u.headings) {
        boundaries.push({ offset: u.block.start, kind: h.kind });
        if (h.kind === 'act') acts.push({ title: h.title, scenes: [], opening: [] });
        else {
          const a = act();
          a.scenes.push({ title: h.title, lines: a.scenes.length === 0 ? a.opening.splice(0) : [] });
        }
      }
      resetScene();
      afterDirection = false;
      continue;
    }
    if (structure.castRange && i >= structure.castRange[0] && i < structure.castRange[1]) continue;
    if (!cueUnits.has(i) && isSettingLabel(pieceAt(i).joined) && opensSetting(i + 1)) continue;
    const runEnd = bracketRunEnd(i);
    if (runEnd > i) {
      for (let k = i; k <= runEnd; k++) direction(unbracket(pieceAt(k).joined, k === i, k === runEnd));
      i = runEnd;
      continue;
    }
    paragraph(pieceAt(i), i, cueUnits.get(i) ?? null);
  }

  // 4. Finish: every act has at least one scene; the cast lists who speaks and who is listed.
  const play: ParsedPlay = {
    title: title ?? '',
    author: author,
    year: titlePage.year,
    genre: titlePage.genre,
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
  const uncertain: Uncertain[] = uncertainDrafts.map((d) => {
    const line = d.line ?? lastLine;
    const [actIndex, sceneIndex, lineIndex] = (line && where.get(line)) ?? [0, 0, 0];
    return { kind: d.kind, actIndex, sceneIndex, lineIndex, text: d.text, sourceStart: d.start, sourceEnd: d.end };
  });
  const playUnits = units.length - startUnit;
  return {
    play,
    uncertain,
    boundaries: boundaries.sort((a, b) => a.offset - b.offset),
    speeches: speechCount,
    speakers: [...speechesBy.values()].filter((n) => n >= 2).length,
    cueShare: playUnits > 0 ? cueUnits.size / playUnits : 0,
  };
}

function unique(ids: number[]): number[] {
  return [...new Set(ids)];
}

/** `WITCH` for the person labelled `FIRST WITCH`; null for a person with a name. */
function numberedHead(p: Person): string | null {
  for (const l of p.labels) {
    const key = labelKey(l);
    if (isNumbered(key) && key.includes(' ')) return key.split(' ').pop()!;
  }
  return null;
}

/** `(SCENE.--A room…` / `…opened the door.)`: one paragraph of a direction printed over several. */
function unbracket(text: string, first: boolean, last: boolean): string {
  let t = text;
  if (first) t = t.slice(1);
  if (last) t = t.replace(/[)\]][\s.,;:!?]*$/, '');
  return t;
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

function distinctiveTokens(p: Person, all: Person[]): string[] {
  if (!p.fromCast) return [];
  // `Helmer's` in `Helmer's three young children` names Helmer, not the children.
  const toks = p.name.split(/\s+/).filter((w) => w.length >= 4 && /^\p{Lu}/u.test(w) && !/['’]s$/u.test(w));
  return toks.filter((t) => all.filter((o) => o.name.split(/\s+/).some((w) => nameKey(w) === nameKey(t))).length === 1);
}

function modeIndent(units: Unit[], cues: Map<number, Cue>): number {
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

function isSetting(unit: Unit, piece: Piece): boolean {
  if (unit.headings) return false;
  const t = piece.joined;
  return wholeDirection(t, new Set(ALL_BRACKETS)) !== null || isBareDirection(t) || (unit.block.indent >= 2 && looksLikeProse(piece));
}

function nextIsText(units: Unit[], i: number): boolean {
  const next = units[i + 1];
  return !!next && !next.headings && next.block.blankBefore <= 2;
}

function looksLikeProse(piece: Piece): boolean {
  if (piece.lines.length === 1) return true;
  return piece.lines.slice(1).some((l) => /^\p{Ll}/u.test(l.text));
}

function looksLikeSpeech(t: string): boolean {
  return /[.!?]["”’]?$/.test(t.trim()) && t.length < 400 && !/^[(\[_]/.test(t);
}

function filenameTitle(filename?: string): string | null {
  if (!filename) return null;
  const base = filename.split(/[\\/]/).pop()!.replace(/\.[^.]+$/, '');
  return base ? displayCase(base.replace(/[-_]+/g, ' ')) : null;
}

interface EmbeddedPattern {
  re: RegExp | null;
}

function embeddedCuePattern(stats: ReturnType<typeof collectStats>, accepted: Set<string>): EmbeddedPattern {
  const labels = [...stats.entries()]
    .filter(([key, s]) => accepted.has(key) && s.count >= 3 && labelShape(s.printed).kind === 'solo')
    .map(([, s]) => s.printed)
    .sort((a, b) => b.length - a.length)
    .map(escapeRe);
  if (labels.length === 0) return { re: null };
  return { re: new RegExp(`(?:${labels.join('|')})(?=\\s*[(\\[]|[.:][ \\t\\n])`, 'gu') };
}

// What may stand right before a cue printed inside a paragraph: a sentence end, a dash, a line break.
const CUE_AFTER = /(?:[.!?…]["”»’)\]]?[ \t]{1,3}|--|—|–|\n)$/;

function findEmbeddedCue(
  text: string,
  from: number,
  pattern: EmbeddedPattern,
  otherSpeaker: (c: Cue) => boolean,
): { at: number; cue: Cue } | null {
  if (!pattern.re) return null;
  pattern.re.lastIndex = from;
  for (let m = pattern.re.exec(text); m; m = pattern.re.exec(text)) {
    if (m.index <= from) continue;
    const before = text.slice(Math.max(0, m.index - 12), m.index);
    if (!CUE_AFTER.test(before)) continue;
    // `Mrs. Helmer`: a title's full stop ends no sentence; a line that ends mid-sentence goes on.
    if (/(?:^|[\s(])(?:Mr|Mrs|Ms|Dr|St|Mme|Mlle|M|Messrs|Rev|Hr|Fr)\.\s+$/.test(before)) continue;
    if (/[\p{L},]\s*\n$/u.test(before)) continue;
    const cue = parseCue(text.slice(m.index));
    if (!cue || labelKey(cue.label) !== labelKey(m[0])) continue;
    if (cue.sep !== 'period' && cue.sep !== 'colon' && cue.sep !== 'direction') continue;
    if (!otherSpeaker(cue)) continue;
    return { at: m.index, cue: { ...cue, textStart: cue.textStart } };
  }
  return null;
}

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

/**
 * A part first labelled by what the audience sees (`MAN`) and later by name, when the text says so: the
 * named person's first entrance is described as "the man" (`He is the man of the adventure`), and the
 * plain label is never used again. The two labels are then one person.
 */
function revealIdentities(
  cues: Array<[number, Cue]>,
  byLabel: Map<string, Person>,
  lower: LowerCount,
  textOf: (unit: number) => string,
): void {
  const first = new Map<Person, number>();
  const last = new Map<Person, number>();
  for (const [unit, cue] of cues) {
    const p = byLabel.get(labelKey(cue.label));
    if (!p) continue;
    if (!first.has(p)) first.set(p, unit);
    last.set(p, unit);
  }
  // What is printed just before a person's first speech, in lower case for a quick look.
  const entrances = new Map<number, string>();
  const entrance = (at: number): string => {
    let t = entrances.get(at);
    if (t === undefined) {
      t = `${textOf(at - 2)}\n${textOf(at - 1)}`.toLowerCase();
      entrances.set(at, t);
    }
    return t;
  };
  for (const [key, plain] of [...byLabel]) {
    const word = key.split(' ');
    if (word.length !== 1 || plain.fromCast || lower(word[0]!) < 3) continue;
    if (labelKey(plain.name) !== key) continue;
    const end = last.get(plain);
    if (end === undefined) continue;
    const noun = word[0]!.toLowerCase();
    const described = new RegExp(`(?<![\\p{L}])(?:the|that|this)\\s+(?:same\\s+)?${noun}(?![\\p{L}])`, 'iu');
    const named = [...first].filter(([p, at]) => {
      if (p === plain || at <= end) return false;
      const before = entrance(at);
      return before.includes(noun) && described.test(before) && lower(labelKey(p.name)) === 0;
    });
    if (named.length !== 1) continue;
    const person = named[0]![0];
    for (const [k, p] of byLabel) {
      if (p !== plain) continue;
      byLabel.set(k, person);
      for (const l of plain.labels) person.labels.add(l);
    }
  }
}
