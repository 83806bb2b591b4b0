import { closingBracket } from './cues.js';
import { nameKey, skipJoiningDash } from './text.js';

// Stage directions: bracketed or underscored paragraphs, Enter/Exit lines, and the directions printed
// inside a speech, plus what a direction says about who comes and goes.

export type Bracket = '(' | '[' | '_';

const OPENERS: Record<Bracket, string> = { '(': ')', '[': ']', _: '_' };

/** The direction text when the whole string is one bracketed or underscored direction, else null. */
export function wholeDirection(text: string, allowed: ReadonlySet<Bracket>): string | null {
  const t = text.trim();
  const first = t[0] as Bracket | undefined;
  if (!first || !(first in OPENERS) || !allowed.has(first)) return null;
  if (first === '_') {
    const m = /^_([^_]+)_[.:;,!?]*$/.exec(t);
    return m ? m[1]!.trim() : null;
  }
  const close = closingBracket(t, 0, 1e6);
  if (close < 0) {
    // An unclosed bracket that runs to the end of the paragraph is still a direction.
    return t.lastIndexOf(OPENERS[first]) < 0 && t.length < 600 ? t.slice(1).trim() : null;
  }
  if (!/^[\s.:;,!?]*$/.test(t.slice(close + 1))) return null;
  return t.slice(1, close).trim();
}

const MOVEMENT = new RegExp(
  '^(?:enter|enters|re-?enter|re-?enters|exit|exeunt|exeunt omnes|manet|manent|they exit|all exit|flourish|alarum|alarums|sennet|thunder|music|curtain|tableau|act drop|drop|end of (?:the )?(?:act|play)|the end|finis|fin|ende|vorhang|rideau|telón|sipario|занавес|конец|dark(?:ness)?|blackout|quick curtain|slow curtain)(?![\\p{L}])',
  'iu',
);

/** A paragraph that is a direction without brackets: `Enter HAMLET.`, `Exeunt.`, `CURTAIN`. */
export function isBareDirection(text: string): boolean {
  const t = text.trim().replace(/^[*_]+|[*_]+$/g, '');
  return MOVEMENT.test(t) && t.length < 400;
}

// A line of its own inside a speech that is a direction without brackets: `Exit.`, `Enter GHOST.`, `ACT DROP`.
const MOVEMENT_LINE = /^(?:(?:enter|exit|exeunt|re-?enter|manet|manent)(?![\p{L}]).{0,70}|[^\p{Ll}]{3,40})$/u;

function isMovementLine(line: string): boolean {
  const t = line.trim();
  if (t.length === 0 || t.length > 80) return false;
  const c = t.charCodeAt(0);
  // Only lines that start with E, R, M (Enter, Exit, Re-enter, Manet) or are all capitals qualify.
  if (!(c === 69 || c === 101 || c === 82 || c === 114 || c === 77 || c === 109) && /\p{Ll}/u.test(t)) return false;
  return MOVEMENT_LINE.test(t) && isBareDirection(t);
}

// The word that labels a setting (`SCENE.--A room…`, `SCENE: A heath`), which a direction does not repeat.
const SCENE_LABEL = /^(?:scene|scène|szene|escena|scena)\s*(?:[.:]\s*(?:--|—|–)?|--|—|–)\s*(?=\S)/iu;
// `THE SAME SCENE.--The table…`: a lead in capitals run into the description with a dash.
const CAPITAL_LEAD = /^([^\p{Ll}]{3,60}?)\.(?:--|—|–)\s*/u;

/** A paragraph that only labels the setting printed after it: `SCENE.`, `Scene:`. */
export function isSettingLabel(text: string): boolean {
  return /^(?:the\s+)?(?:scene|scène|szene|escena|scena|setting)\s*[.:]?$/iu.test(text.trim());
}

/** A direction's text as it should read: no setting label, no leading dash, no italics underscores. */
export function tidyDirection(text: string): string {
  let t = text;
  if (t.includes('_') && !t.includes('__')) t = t.replace(/_/g, '');
  t = t.replace(/^(?:--|—|–)\s*/, '').replace(SCENE_LABEL, '');
  const lead = CAPITAL_LEAD.exec(t);
  if (lead && /\p{Lu}/u.test(lead[1]!)) {
    const words = lead[1]!.toLowerCase();
    t = `${words.charAt(0).toUpperCase()}${words.slice(1)}. ${t.slice(lead[0].length)}`;
  }
  return t.trim();
}

// `Very good, ma'am. [Exit.`: an exit whose bracket is never closed, at the end of a speech.
function unclosedMovementEnd(text: string, open: number): number {
  const rest = text.slice(open + 1);
  return rest.length < 80 && !/[\])]/.test(rest) && isBareDirection(rest) ? text.length : -1;
}

export interface Segment {
  kind: 'speech' | 'direction';
  text: string;
  /** Offset of the segment in the string it was cut from. */
  start: number;
  end: number;
}

function lineStartBefore(text: string, pos: number): boolean {
  for (let i = pos - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === '\n') return true;
    if (ch !== ' ' && ch !== '\t') return false;
  }
  return true;
}

function lineEndAfter(text: string, pos: number): boolean {
  for (let i = pos; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') return true;
    if (!/[\s.,;:!?—–-]/.test(ch!)) return false;
  }
  return true;
}

// A direction after a short opening (`Ah!.. (Weeps) ...`) stays in the speech, so the speech is not cut
// down to a fragment of a few words before its first direction.
export const OPENING = 40;

export function spokenLength(text: string, from = 0, to = text.length): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 128 ? (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122) : isLetterOrDigit(text[i]!)) n++;
  }
  return n;
}

function isLetterOrDigit(ch: string): boolean {
  return ch.toLowerCase() !== ch.toUpperCase() || /\p{N}|\p{L}/u.test(ch);
}

/**
 * Cuts a speech into spoken text and directions, in order: directions that open or close the speech, and
 * those inside it once it is under way. One right after a short opening stays in it, as printed.
 */
export function splitSpeech(text: string, allowed: ReadonlySet<Bracket>): Segment[] {
  const out: Segment[] = [];
  let from = 0;
  const push = (kind: Segment['kind'], start: number, end: number, body?: string) => {
    const raw = body ?? text.slice(start, end);
    if (raw.trim() === '' || (kind === 'speech' && /^[\s.,;:!?—–-]*$/.test(raw))) return;
    out.push({ kind, text: raw, start, end });
  };
  const opener = /[([_]/g;
  // Letters spoken before the current position (directions not counted), and where that count stopped.
  let spoken = 0;
  let counted = 0;
  for (let i = 0; i < text.length; i++) {
    opener.lastIndex = i;
    const found = opener.exec(text);
    if (!found) break;
    i = found.index;
    const ch = text[i] as Bracket;
    // `[Exit.` left open at the end of a speech is a direction whatever brackets the play favours.
    if (!allowed.has(ch) && !(ch === '[' && unclosedMovementEnd(text, i) > 0)) continue;
    let close: number;
    if (ch === '_') {
      if (!lineStartBefore(text, i)) continue;
      close = text.indexOf('_', i + 1);
      if (close < 0 || text.slice(i, close).includes('\n\n')) continue;
    } else {
      close = closingBracket(text, i);
      if (close < 0) close = unclosedMovementEnd(text, i);
      if (close < 0) continue;
    }
    // An editor's letter inside a word (`ho[m]bre`) is part of the word, not a direction.
    if (ch !== '_' && /\p{L}/u.test(text[i - 1] ?? '') && /\p{L}/u.test(text[close + 1] ?? '')) {
      i = close;
      continue;
    }
    const atStart = text.slice(from, i).trim() === '';
    spoken += spokenLength(text, counted, i);
    counted = close + 1;
    const underWay = spoken >= OPENING;
    const atEnd = lineEndAfter(text, close + 1) && /^[\s.,;:!?]*$/.test(text.slice(close + 1));
    if (!(atStart || underWay || atEnd)) {
      i = close;
      continue;
    }
    push('speech', from, i);
    push('direction', i, close + 1, text.slice(i + 1, close).trim());
    from = close + 1;
    while (from < text.length && /[.,;:]/.test(text[from]!)) from++;
    from = skipJoiningDash(text, from);
    i = from - 1;
  }
  push('speech', from, text.length);
  return out.flatMap((seg) => (seg.kind === 'speech' ? splitMovementLines(text, seg) : [seg]));
}

function splitMovementLines(text: string, seg: Segment): Segment[] {
  if (!seg.text.includes('\n') && !isMovementLine(seg.text)) return [seg];
  const out: Segment[] = [];
  let from = seg.start;
  let pos = seg.start;
  while (pos <= seg.end) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0 || eol > seg.end) eol = seg.end;
    const line = text.slice(pos, eol);
    if (isMovementLine(line)) {
      if (text.slice(from, pos).trim()) out.push({ kind: 'speech', text: text.slice(from, pos), start: from, end: pos });
      out.push({ kind: 'direction', text: line.trim(), start: pos, end: eol });
      from = eol;
    }
    pos = eol + 1;
  }
  if (text.slice(from, seg.end).trim()) out.push({ kind: 'speech', text: text.slice(from, seg.end), start: from, end: seg.end });
  return out;
}

export interface NameIndex {
  /** Person ids named in a text, in order of first mention. */
  find(text: string): number[];
}

/** Looks names up by their capitalised words; longer names win (`Lady Macbeth` before `Macbeth`). */
export function buildNameIndex(names: Array<{ id: number; names: string[] }>): NameIndex {
  const byPhrase = new Map<string, Set<number>>();
  let longest = 1;
  for (const { id, names: ns } of names) {
    for (const n of ns) {
      const key = nameKey(n);
      if (!key || key.length < 3) continue;
      const words = key.split(' ');
      longest = Math.max(longest, words.length);
      if (!byPhrase.has(key)) byPhrase.set(key, new Set());
      byPhrase.get(key)!.add(id);
    }
  }
  return {
    find(text: string): number[] {
      const words = text.split(/[^\p{L}\p{M}'’\-]+/u).filter(Boolean);
      const found: number[] = [];
      for (let i = 0; i < words.length; i++) {
        if (!/^\p{Lu}/u.test(words[i]!)) continue;
        for (let len = Math.min(longest, words.length - i); len >= 1; len--) {
          const ids = byPhrase.get(nameKey(words.slice(i, i + len).join(' ')));
          if (ids && ids.size === 1) {
            const id = ids.values().next().value!;
            if (!found.includes(id)) found.push(id);
            i += len - 1;
            break;
          }
        }
      }
      return found;
    },
  };
}

// Word boundaries that also hold for Cyrillic (`\b` only knows ASCII letters).
function wordsPattern(words: string[], anchored = false): RegExp {
  return new RegExp(`${anchored ? '^' : '(?<![\\p{L}])'}(?:${words.join('|')})(?![\\p{L}])`, 'iu');
}

const EXIT_WORDS = wordsPattern(['exit', 'exits', 'exeunt', 'descends?', 'vanish(?:es)?', 'disappears?', 'sinks?', 'goes out', 'go out', 'goes off', 'go off', 'leaves', 'leave', 'withdraws?', 'retires?', 'sort', 'sortent', 'ab', 'уходит', 'уходят', 'se va', 'se van', 'parte', 'partono']);
const ENTER_WORDS = wordsPattern(['enter', 'enters', 're-?enters?', 'comes in', 'come in', 'appears?', 'entre', 'entrent', 'tritt auf', 'treten auf', 'tritt herein', 'kommt', 'kommen', 'входит', 'входят', 'sale', 'salen', 'entra', 'entrano']);
const EVERYONE_LEAVES = wordsPattern(['they exit', 'all exit', 'exeunt(?: omnes)?', 'flourish\\.? all exit', 'alle ab', 'ils sortent', 'tous sortent', 'все уходят', 'vanse', 'vanno via', 'they go out', 'all go out'], true);
const ALL_BUT = wordsPattern(['all but', 'exeunt all but', 'all except', 'all exit but', 'alle ab außer', 'alle ab, außer']);
const SPEAKER_LEAVES = wordsPattern(['exit', 'exits', 'he exits', 'she exits', 'he descends', 'she descends', 'it descends', 'vanishes', 'he vanishes', 'she vanishes', 'he goes out', 'she goes out', 'sort', 'il sort', 'elle sort', 'geht ab', 'ab', 'уходит'], true);

export interface StageMovement {
  enter: number[];
  exit: number[];
  /** Everyone leaves (except `stay`). */
  clear: boolean;
  stay: number[];
  /** `Exit.` with no name: the person who just spoke leaves. */
  speakerLeaves: boolean;
}

export function readMovement(text: string, index: NameIndex): StageMovement {
  const t = text.trim();
  const move: StageMovement = { enter: [], exit: [], clear: false, stay: [], speakerLeaves: false };
  const allBut = ALL_BUT.exec(t);
  if (allBut) {
    move.clear = true;
    move.stay = index.find(t.slice(allBut.index));
    return move;
  }
  if (EVERYONE_LEAVES.test(t)) {
    move.clear = true;
    return move;
  }
  // Sentence by sentence, so `Enter Ghost. Horatio exits.` moves each person the right way.
  for (const sentence of t.split(/(?<=[.;!?])\s+/)) {
    const who = index.find(sentence);
    if (EXIT_WORDS.test(sentence)) {
      if (who.length) move.exit.push(...who);
      else if (SPEAKER_LEAVES.test(sentence)) move.speakerLeaves = true;
    } else if (ENTER_WORDS.test(sentence)) move.enter.push(...who);
  }
  return move;
}
