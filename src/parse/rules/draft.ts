import type { Steps } from './steps.js';
import type { PlayLine } from '../play.js';
import type { Boundary, UncertainKind } from './analysis.js';
import { bracketRunEnd, unbracket } from './bracket-runs.js';
import { labelKey } from './characters.js';
import type { Cues } from './cue-scan.js';
import { speakersFinder } from './cue-speakers.js';
import { parseCue, type Cue } from './cues.js';
import {
  OPENING,
  isBareDirection,
  isSettingLabel,
  spokenLength,
  splitSpeech,
  tidyDirection,
  wholeDirection,
  type Bracket,
} from './directions.js';
import { embeddedCuePattern, findEmbeddedCue } from './embedded-cues.js';
import type { Unit } from './layout.js';
import { looksLikeProse, slicePiece, sourceAt, sourceEnd, type Piece } from './piece.js';
import { bracketsInUse, cueIndent } from './print-style.js';
import type { Speakers } from './speakers.js';
import { applyMovement, emptyStage, startSpeech } from './stage.js';
import { squash, stripEmphasis } from './text.js';
import { isVerse, render, type LineStyle } from './verse.js';

// Reading the play paragraph by paragraph, from its first unit to its last: acts, scenes, speeches and
// directions in the order printed, before they are numbered into a play.

export interface DraftScene {
  title: string;
  lines: PlayLine[];
}

export interface DraftAct {
  title: string;
  scenes: DraftScene[];
  /** Lines before the act's first scene heading (an act-opening direction). */
  opening: PlayLine[];
}

/** Something the reading was unsure of, and the line it concerns once that line is written. */
export interface DraftNote {
  kind: UncertainKind;
  line: PlayLine | null;
  text: string;
  start: number;
  end: number;
}

export interface Draft {
  acts: DraftAct[];
  notes: DraftNote[];
  /** Notes made after the last line was written concern that line. */
  lastLine: PlayLine | null;
  boundaries: Boundary[];
  speechCount: number;
  speakersSeen: Set<number>;
  /** Speeches by each person. */
  speechesBy: Map<number, number>;
}

export interface DraftInput {
  units: Unit[];
  startUnit: number;
  cues: Cues;
  speakers: Speakers;
  /** How the text wraps its lines, to tell verse from wrapped prose. */
  style: LineStyle;
}

// Units drafted between two reports of how far the draft is: a few milliseconds of work.
const UNITS_PER_STEP = 500;

/** Drafts the play, yielding how far it is (0–1 of the units) every few hundred units. */
export function* draftSteps({ units, startUnit, cues, speakers, style }: DraftInput): Steps<Draft> {
  const { structure, roster, stats, accepted, rejected, cueUnits, pieceAt } = cues;
  const { byLabel, nameIndex, speaking } = speakers;
  const allowed = bracketsInUse(units, startUnit);
  const baseIndent = cueIndent(units, cueUnits);
  // Underscores that mark directions are not emphasis to strip.
  const underscores = !allowed.has('_');
  const embedded = embeddedCuePattern(stats, accepted);
  const speakersFor = speakersFinder(roster, speakers);
  // Counted as `speakers.sceneSpeakers` counts scenes: every heading paragraph, kept or dropped.
  let sceneNo = 0;

  const acts: DraftAct[] = [];
  const notes: DraftNote[] = [];
  // Notes wait for the line they concern, which is the next one written.
  let waiting: DraftNote[] = [];
  let lastLine: PlayLine | null = null;
  const boundaries: Boundary[] = [];
  const speakersSeen = new Set<number>();
  const speechesBy = new Map<number, number>();
  let speechCount = 0;
  let stage = emptyStage();
  let openDialogue: PlayLine | null = null;
  let speechOpening: PlayLine | null = null;
  let afterDirection = false;

  const act = () => {
    if (acts.length === 0) acts.push({ title: '', scenes: [], opening: [] });
    return acts[acts.length - 1]!;
  };
  const resetScene = () => {
    stage = emptyStage();
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
    const t = tidyDirection(stripEmphasis(squash(body), underscores));
    if (!t) return;
    const mentioned = who ?? nameIndex.find(t);
    emit({ type: 'stage_direction', text: t, characters: names(mentioned) });
    applyMovement(stage, t, nameIndex, speaking);
    openDialogue = null;
    afterDirection = true;
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
    notes.push(d);
    if (!line) waiting.push(d);
  };

  const speak = (ids: number[], piece: Piece, unitStart: number) => {
    const segments = splitSpeech(piece.joined, allowed);
    const first = piece.lines[0];
    const verse = first !== undefined && isVerse(piece.lines, style.widthAt(first.src), style.capitalVerse);
    for (const seg of segments) {
      const part = slicePiece(piece, seg.start, seg.end);
      if (seg.kind === 'direction') {
        direction(seg.text);
        continue;
      }
      const r = render(part.lines, baseIndent, verse, { capitalVerse: style.capitalVerse, underscores });
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
        if (afterDirection && ids === stage.current && unitStart >= 0) {
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
    const end = sourceEnd(piece);
    const ids = speakersFor(cue, stage, sceneNo, () => note('joint-unknown', null, cue.label, start, end));
    speechCount++;
    for (const id of ids) {
      speakersSeen.add(id);
      speechesBy.set(id, (speechesBy.get(id) ?? 0) + 1);
    }
    startSpeech(stage, ids);
    speechOpening = null;
    openDialogue = null;
    if (cue.direction) direction(cue.direction, ids);
    afterDirection = false;
    const next = findEmbeddedCue(piece.joined, cue.textStart, embedded, (c) => {
      const p = byLabel.get(labelKey(c.label));
      return !p || !ids.includes(p.id);
    });
    speak(ids, slicePiece(piece, cue.textStart, next ? next.at : piece.joined.length), -1);
    if (next) speech(next.cue, slicePiece(piece, next.at));
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
        applyMovement(stage, whole, nameIndex, speaking);
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
    if (stage.current && !indented) {
      if (unitIndex !== null) {
        const rejectedCue = parseCue(t);
        if (rejectedCue && rejected.has(labelKey(rejectedCue.label)) && rejectedCue.sep !== 'none') {
          note('unknown-label', null, t, start, end);
        }
      }
      return speak(stage.current, piece, unitIndex ?? -1);
    }
    if (!indented && !stage.current && looksLikeSpeech(t)) note('unclassified-block', null, t, start, end);
    direction(t);
  };

  // `SCENE.` on its own, then the setting: the label adds nothing to the direction that follows it.
  const opensSetting = (i: number): boolean => i < units.length && !units[i]!.headings && !cueUnits.has(i);
  const acceptedCue = (t: string): Cue | null => {
    const cue = parseCue(t);
    return cue && accepted.has(labelKey(cue.label)) ? cue : null;
  };

  for (let i = startUnit; i < units.length; i++) {
    if ((i - startUnit) % UNITS_PER_STEP === UNITS_PER_STEP - 1) yield (i - startUnit) / (units.length - startUnit);
    const u = units[i]!;
    if (u.headings) {
      sceneNo++;
      if (!structure.headingUnits.has(i)) continue;
      for (const h of u.headings) {
        boundaries.push({ offset: u.block.start, kind: h.kind });
        // A setting read before the first act heading opens that act rather than one of its own.
        const lone = acts.length === 1 && acts[0]!.title === '' && acts[0]!.scenes.length === 0 ? acts[0] : null;
        if (h.kind === 'act' && lone) lone.title = h.title;
        else if (h.kind === 'act') acts.push({ title: h.title, scenes: [], opening: [] });
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
    const runEnd = bracketRunEnd(units, i, cueUnits, pieceAt, allowed);
    if (runEnd > i) {
      for (let k = i; k <= runEnd; k++) direction(unbracket(pieceAt(k).joined, k === i, k === runEnd));
      i = runEnd;
      continue;
    }
    paragraph(pieceAt(i), i, cueUnits.get(i) ?? null);
  }

  return { acts, notes, lastLine, boundaries, speechCount, speakersSeen, speechesBy };
}

function looksLikeSpeech(t: string): boolean {
  return /[.!?]["”’]?$/.test(t.trim()) && t.length < 400 && !/^[(\[_]/.test(t);
}
